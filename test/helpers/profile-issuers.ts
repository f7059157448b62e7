import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IssuerProfile, IssuerSummary } from '../../shared/issuers';
import type { Workspace } from '../../shared/schemas';
import { startTestEngine } from './engine';

type TestEngine = Awaited<ReturnType<typeof startTestEngine>>;

/**
 * An engine with issuers of one provider profile, each named in `names` and holding the same seed:
 * the same client ids and users at each, so only the issuer tells their tokens apart.
 */
export async function startProfileIssuers(
  profile: IssuerProfile,
  names: string[],
  seed: Workspace,
  options: Parameters<typeof startTestEngine>[0] = {},
): Promise<{ engine: TestEngine; issuers: IssuerSummary[] }> {
  const engine = await startTestEngine({ inMemory: true, ...options });
  const issuers: IssuerSummary[] = [];
  for (const name of names) {
    const issuer = (await engine.call('issuers.create', { name, profile })) as IssuerSummary;
    await engine.call('workspace.import', seed, { issuer: issuer.id });
    issuers.push(issuer);
  }
  return { engine, issuers };
}

/** A resource server (an Express app or any request listener) on its own port of 127.0.0.1. */
export async function listenOnLoopback(app: {
  listen(port: number, host: string, callback: () => void): Server;
}): Promise<{ origin: string; close(): Promise<void> }> {
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
