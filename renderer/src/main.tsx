import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminError } from '../../shared/errors';
import { App } from './App';
import { ConfirmProvider } from './components/Confirm';
import { QK } from './data/keys';
import { LiveUpdates } from './data/LiveUpdates';
import { NowProvider } from './data/now';
import { theme } from './theme';

const queryClient: QueryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
  queryCache: new QueryCache({
    // A call that cannot reach the engine re-checks engine.info, so the header's state turns red.
    onError: (error, query) => {
      if (error instanceof AdminError && error.code === 'internal' && query.queryKey[0] !== QK.info) {
        void queryClient.invalidateQueries({ queryKey: [QK.info] });
      }
    },
  }),
});

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');

createRoot(rootElement).render(
  <StrictMode>
    <MantineProvider defaultColorScheme="auto" theme={theme}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <NowProvider>
          <ConfirmProvider>
            <LiveUpdates>
              <App />
            </LiveUpdates>
          </ConfirmProvider>
        </NowProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
