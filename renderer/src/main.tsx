import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { Code, Container, MantineProvider, Text, Title } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode, useSyncExternalStore } from 'react';
import { createRoot } from 'react-dom/client';
import { AdminError } from '../../shared/errors';
import { App } from './App';
import { uiSession } from './api';
import type { UiSessionState } from './api/ui-session';
import { ConfirmProvider } from './components/Confirm';
import { adminQueryKey } from './data/contract-queries';
import { LiveUpdates } from './data/LiveUpdates';
import { NowProvider } from './data/now';
import { theme } from './theme';

const queryClient: QueryClient = new QueryClient({
  defaultOptions: { queries: { retry: 1, refetchOnWindowFocus: false } },
  queryCache: new QueryCache({
    // A call that cannot reach the engine re-checks engine.info, so the header's state turns red.
    onError: (error, query) => {
      const engineInfo = adminQueryKey('engine.info');
      if (error instanceof AdminError && error.code === 'internal' && query.queryKey[0] !== engineInfo[0]) {
        void queryClient.invalidateQueries({ queryKey: engineInfo });
      }
    },
  }),
});

/** Browser mode, in a tab that holds no accepted UI token: how to sign in, and nothing else. */
function SignInNeeded({ state }: { state: Exclude<UiSessionState, 'signed-in'> }) {
  return (
    <Container size="sm" py="xl">
      <Title order={1}>{state === 'expired' ? 'Sign-in link expired' : 'Sign-in link needed'}</Title>
      {state === 'expired' ? (
        <Text mt="md">
          The engine no longer accepts this tab's sign-in: it was started with a new one (in memory, on
          another data folder, or after its <Code>ui-token</Code> file was removed). Nothing shown before is
          current. Open the <b>Admin UI</b> URL it printed at start, in this tab.
        </Text>
      ) : (
        <Text mt="md">
          Open the <b>Admin UI</b> URL the engine printed at start (it ends in <Code>?token=…</Code>) in this
          tab. Each tab signs in with that link: the admin credential stays in the tab, never in a cookie,
          which the browser would also send to every other program listening on this computer.
        </Text>
      )}
    </Container>
  );
}

const subscribeToSignIn = (listener: () => void) => uiSession?.subscribe(listener) ?? (() => {});
const signInState = (): UiSessionState => uiSession?.state() ?? 'signed-in';

function SignedIn() {
  const state = useSyncExternalStore(subscribeToSignIn, signInState);
  if (state !== 'signed-in') return <SignInNeeded state={state} />;
  return (
    <LiveUpdates>
      <App />
    </LiveUpdates>
  );
}

const rootElement = document.getElementById('root');
if (!rootElement) throw new Error('index.html has no #root element');

createRoot(rootElement).render(
  <StrictMode>
    <MantineProvider defaultColorScheme="auto" theme={theme}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <NowProvider>
          <ConfirmProvider>
            <SignedIn />
          </ConfirmProvider>
        </NowProvider>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
