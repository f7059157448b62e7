// The systems a scenario runs against: the engine, its peers and the two ceilings.
import { writeEngineSeed } from './engine-seed.mjs';
import { startFloor } from './floors.mjs';
import { startEngine, startScript } from './procs.mjs';

export const SYSTEMS = {
  engine: { label: 'IDP Sandbox', short: 'IDP Sandbox' },
  'engine-4t': {
    label: "IDP Sandbox, libuv's own default of 4 pool threads (UV_THREADPOOL_SIZE=4)",
    short: 'IDP Sandbox 4 libuv threads',
  },
  'engine-1w': {
    label: 'IDP Sandbox, 1 signing worker thread (--signing-workers 1)',
    short: 'IDP Sandbox 1 worker',
  },
  'engine-2w': {
    label: 'IDP Sandbox, 2 signing worker threads (--signing-workers 2)',
    short: 'IDP Sandbox 2 workers',
  },
  'engine-second': {
    label: 'IDP Sandbox, at a second issuer of the same engine (/second/token)',
    short: 'IDP Sandbox second issuer',
  },
  'engine-es256': {
    label: 'IDP Sandbox with an ES256 seed (no RSA key to generate at start)',
    short: 'IDP Sandbox ES256',
  },
  floor: {
    label: 'required-work floor (bench/experiments/floor-server.mjs)',
    short: 'floor',
    floor: true,
  },
  'oauth2-mock-server': { label: 'oauth2-mock-server', short: 'oauth2-mock-server', peer: true },
  'oidc-provider': { label: 'oidc-provider', short: 'oidc-provider', peer: true },
  http: { label: 'HTTP ceiling (Fastify form POST → small JSON)', short: 'HTTP ceiling', ceiling: true },
  crypto: { label: 'crypto ceiling (jose signing, 1 thread)', short: 'crypto ceiling', ceiling: true },
  'crypto-2t': { label: 'jose signing, 2 threads', short: 'crypto 2 threads', ceiling: true },
};

export const PEERS = ['oauth2-mock-server', 'oidc-provider'];

/** Starts system `id` for algorithm `alg`; crypto systems start nothing (they run per measurement). */
export async function startSystem(
  id,
  { alg, workDir, dataDir, preseed = 0, salt = 'bench', engineNodeArgs = [], floor },
) {
  switch (id) {
    case 'floor':
      return startFloor({ alg, ...floor });
    case 'engine-es256':
      return startEngine({ seedFile: writeEngineSeed(workDir, 'ES256'), dataDir, nodeArgs: engineNodeArgs });
    case 'engine':
      return startEngine({ seedFile: writeEngineSeed(workDir, alg), dataDir, nodeArgs: engineNodeArgs });
    case 'engine-4t':
      // The CLI sizes libuv's pool to the machine (main/cli/runtime-tuning.ts) unless this is set.
      return startEngine({
        seedFile: writeEngineSeed(workDir, alg),
        dataDir,
        env: { UV_THREADPOOL_SIZE: '4' },
      });
    case 'engine-1w':
    case 'engine-2w':
      return startEngine({
        seedFile: writeEngineSeed(workDir, alg),
        dataDir,
        args: ['--signing-workers', id.slice('engine-'.length, -1)],
      });
    case 'oauth2-mock-server':
      return startScript('oauth2-mock-server.mjs', { alg });
    case 'oidc-provider':
      return startScript(
        'oidc-provider.mjs',
        { alg, preseed, salt },
        { nodeArgs: ['--max-old-space-size=4096'] },
      );
    case 'http':
      return startScript('http-ceiling.mjs');
    default:
      throw new Error(`unknown system ${id}`);
  }
}

/** The endpoints of a started system, from its discovery document (fixed routes for the HTTP ceiling). */
export async function endpointsOf(id, server) {
  if (id === 'http' || id === 'floor') {
    return {
      token: '/token',
      introspection: '/introspect',
      discovery: '/.well-known/openid-configuration',
      jwks: '/jwks',
      discoveryDocument: null,
    };
  }
  const discovery = '/.well-known/openid-configuration';
  const response = await fetch(`${server.origin}${discovery}`);
  if (!response.ok) throw new Error(`${id}: discovery answered ${response.status}`);
  const document = await response.json();
  const pathOf = (url) => (url ? new URL(url).pathname : null);
  return {
    token: pathOf(document.token_endpoint),
    introspection: pathOf(document.introspection_endpoint),
    discovery,
    jwks: pathOf(document.jwks_uri),
    // Endpoints rewritten to 127.0.0.1 (oauth2-mock-server advertises localhost).
    discoveryDocument: {
      ...document,
      authorization_endpoint: server.local(document.authorization_endpoint),
      token_endpoint: server.local(document.token_endpoint),
    },
  };
}

/** Runs the crypto ceiling for `seconds` with `threads` signing threads; returns signatures per second. */
export async function cryptoRate(alg, seconds, threads) {
  const run = await startScript(
    'crypto-ceiling.mjs',
    { alg, seconds, inflight: 8 * threads },
    { env: { UV_THREADPOOL_SIZE: String(threads) } },
  );
  return run.rate;
}

/** Waits until `server`'s discovery document first answers 200 (how a cold start is timed). */
export async function untilDiscovery(server) {
  const url = `${server.origin}/.well-known/openid-configuration`;
  for (;;) {
    const ok = await fetch(url)
      .then(async (response) => {
        await response.arrayBuffer();
        return response.ok;
      })
      .catch(() => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
