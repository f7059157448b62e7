import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EngineInfo } from '../../../../shared/contract';
import { adminQueryKey } from '../../data/contract-queries';
import { renderWithTheme } from '../../test-utils';

const engine = vi.hoisted(() => ({
  https: null as unknown as EngineInfo['https'],
  saved: [] as boolean[],
}));
vi.mock('../../api', () => ({
  adminApi: {
    engine: {
      info: async () => ({ issuer: 'https://127.0.0.1:9400', https: engine.https }),
      setHttps: async ({ enabled }: { enabled: boolean }) => {
        engine.saved.push(enabled);
        engine.https = { ...engine.https, nextStart: enabled };
        return { nextStart: enabled };
      },
    },
  },
}));

const { HttpsSection } = await import('./HttpsSection');

function show(https: EngineInfo['https']) {
  engine.https = https;
  engine.saved = [];
  const client = new QueryClient();
  const view = renderWithTheme(
    <QueryClientProvider client={client}>
      <HttpsSection />
    </QueryClientProvider>,
  );
  const infoLoaded = () =>
    waitFor(() => expect(client.getQueryState(adminQueryKey('engine.info'))?.status).toBe('success'));
  return { view, infoLoaded };
}

afterEach(cleanup);

describe('Settings → HTTPS', () => {
  it('shows the CA path and each trust command with a copy button while TLS is on', async () => {
    show({
      enabled: true,
      caCertPath: '/home/me/.config/IDP Sandbox/tls/ca.crt',
      trustCommands: [
        {
          label: 'Debian/Ubuntu',
          command: "sudo cp '/x/ca.crt' /usr/local/share/ca-certificates/idp-sandbox.crt",
        },
        { label: 'Node.js', command: "NODE_EXTRA_CA_CERTS='/x/ca.crt' node your-app.js" },
      ],
      nextStart: null,
    });
    expect(await screen.findByDisplayValue('/home/me/.config/IDP Sandbox/tls/ca.crt')).toBeTruthy();
    expect(screen.getByText("NODE_EXTRA_CA_CERTS='/x/ca.crt' node your-app.js")).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy the Debian/Ubuntu command' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Copy CA certificate path' })).toBeTruthy();
    // The CLI chooses with its flag: no toggle there.
    expect(screen.queryByRole('switch')).toBeNull();
  });

  it('saves the desktop choice for the next start from its toggle', async () => {
    show({ enabled: false, caCertPath: null, trustCommands: [], nextStart: false });
    const toggle = await screen.findByRole('switch', { name: /^Serve HTTPS/ });
    expect((toggle as HTMLInputElement).checked).toBe(false);
    expect(screen.getByText(/Takes effect at the next start/)).toBeTruthy();
    fireEvent.click(toggle);
    await waitFor(() => expect(engine.saved).toEqual([true]));
    await waitFor(() => expect((toggle as HTMLInputElement).checked).toBe(true));
  });

  it('shows nothing over plain HTTP where the host has no HTTPS choice', async () => {
    const { view, infoLoaded } = show({
      enabled: false,
      caCertPath: null,
      trustCommands: [],
      nextStart: null,
    });
    await infoLoaded();
    expect(view.container.querySelector('h3')).toBeNull();
  });
});
