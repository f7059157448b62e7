import { webcrypto } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { decodeProtectedHeader, importJWK, type JWTPayload, jwtVerify } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../main/core/store/keys';
import type { SigningHeader } from '../../main/core/tokens/jws';
import { generateSigningKey } from '../../main/core/tokens/keygen';
import { createSigner, InProcessSigner, WorkerPoolSigner } from '../../main/core/tokens/signer';
import type { SigningAlg, SigningKey, Workspace } from '../../shared/schemas';
import { SIGNING_ALGS } from '../../shared/schemas';
import { ROOT, startTestEngine } from '../helpers/engine';
import { adminHttp, currentJwks, introspect, tokenRequest } from '../helpers/script-http';

// The pool runs the built worker (dist/cli/sign-worker.cjs, which `npm test` builds first): Node cannot
// start the TypeScript source as a worker thread.
const FAULTY_WORKER = path.join(ROOT, 'test', 'fixtures', 'faulty-sign-worker.cjs');
const API = { clientId: 'api', secret: 'api-secret' };
const SVC = { clientId: 'svc', secret: 'svc-secret' };

/** OS threads of this process (Linux): a terminated worker's thread is gone from /proc/self/task. */
const osThreads = () => fs.readdirSync('/proc/self/task').length;
/** The thread count to come back to, once libuv's threadpool (started by the first crypto job) exists. */
async function threadBaseline(): Promise<number> {
  await webcrypto.subtle.digest('SHA-256', new Uint8Array(1));
  return osThreads();
}

const keys = new Map<SigningAlg, KeyRecord>();
async function keyFor(alg: SigningAlg): Promise<KeyRecord> {
  let key = keys.get(alg);
  if (!key) {
    key = await generateSigningKey(alg, 0);
    keys.set(alg, key);
  }
  return key;
}
const headerOf = (key: KeyRecord, kid = key.kid): SigningHeader => ({ alg: key.alg, kid, typ: 'at+jwt' });
const claims = (n: number): JWTPayload => ({ iss: 'https://issuer.test', sub: `s${n}`, jti: `j${n}` });

async function verified(jws: string, key: KeyRecord) {
  const { payload, protectedHeader } = await jwtVerify(jws, await importJWK(key.public_jwk, key.alg), {
    algorithms: [key.alg],
    issuer: 'https://issuer.test',
    typ: 'at+jwt',
  });
  return { payload, protectedHeader };
}

const pools: WorkerPoolSigner[] = [];
function pool(size: number, file?: string): WorkerPoolSigner {
  const created = new WorkerPoolSigner(size, file);
  pools.push(created);
  return created;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe('the signing pool (worker threads)', () => {
  it.each(SIGNING_ALGS)('signs %s JWTs that jose verifies, the same as signing in process', async (alg) => {
    const key = await keyFor(alg);
    const signer = pool(2);
    const signed = await Promise.all([1, 2, 3, 4].map((n) => signer.sign(claims(n), headerOf(key), key)));
    for (const [i, jws] of signed.entries()) {
      const { payload, protectedHeader } = await verified(jws, key);
      expect(protectedHeader).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
      expect(payload).toEqual(claims(i + 1));
    }
    const inProcess = await new InProcessSigner().sign(claims(9), headerOf(key), key);
    expect((await verified(inProcess, key)).protectedHeader).toEqual({ alg, kid: key.kid, typ: 'at+jwt' });
  });

  it('rejects a job the worker cannot sign with a clear error, and keeps signing', async () => {
    const key = await keyFor('ES256');
    const signer = pool(1);
    await expect(signer.sign({ sub: 'x', big: 10n } as JWTPayload, headerOf(key), key)).rejects.toThrow(
      'Signing failed: TypeError: Do not know how to serialize a BigInt',
    );
    const rsa = await keyFor('RS256');
    await expect(signer.sign(claims(1), { ...headerOf(rsa), alg: 'ES256' }, rsa)).rejects.toThrow(
      /^Signing failed: /,
    );
    expect((await verified(await signer.sign(claims(2), headerOf(key), key), key)).payload.sub).toBe('s2');
  });

  it('fails a job it cannot hand to a worker (not cloneable) without harming the pool', async () => {
    const key = await keyFor('ES256');
    const signer = pool(1);
    const payload = { sub: 'x', callback: () => 1 } as unknown as JWTPayload;
    await expect(signer.sign(payload, headerOf(key), key)).rejects.toThrow(
      'Cannot pass the token to a signing worker',
    );
    expect((await verified(await signer.sign(claims(3), headerOf(key), key), key)).payload.sub).toBe('s3');
  });

  it.each([
    ['exits', 'exit-mid-job', 'The signing worker stopped (exit code 7) before it signed the token.'],
    [
      'throws',
      'throw-mid-job',
      'The signing worker stopped (exit code 1: fault injected by the test worker) before it signed the token.',
    ],
  ])('fails the jobs of a worker that %s mid-job, then replaces the worker', async (_, kid, message) => {
    const key = await keyFor('ES256');
    const signer = pool(1, FAULTY_WORKER);
    await verified(await signer.sign(claims(1), headerOf(key), key), key);
    const [first] = signer.threadIds;

    // A worker holds several jobs at once: the one behind the fatal job goes down with it, not unanswered.
    const fatal = signer.sign(claims(2), headerOf(key, kid), key);
    const alongside = signer.sign(claims(3), headerOf(key), key);
    await expect(fatal).rejects.toThrow(message);
    await expect(alongside).rejects.toThrow(message);

    const after = await Promise.all([4, 5].map((n) => signer.sign(claims(n), headerOf(key), key)));
    for (const jws of after) await verified(jws, key);
    expect(signer.threadIds).toHaveLength(1);
    expect(signer.threadIds[0]).not.toBe(first);
  });

  it('close() terminates every worker, fails waiting jobs and refuses new ones', async () => {
    const key = await keyFor('ES256');
    const before = await threadBaseline();
    const signer = pool(2);
    await Promise.all([1, 2, 3].map((n) => signer.sign(claims(n), headerOf(key), key)));
    expect(signer.threadIds).toHaveLength(2);
    expect(osThreads()).toBe(before + 2);

    const pending = [4, 5, 6].map((n) => signer.sign(claims(n), headerOf(key), key));
    const settled = Promise.allSettled(pending);
    await signer.close();
    expect(signer.threadIds).toEqual([]);
    expect(osThreads()).toBe(before);
    // Jobs in flight either finished before the threads stopped or failed; none is left hanging.
    for (const result of await settled) {
      if (result.status === 'rejected') expect(String(result.reason)).toMatch(/signing pool was closed/);
    }
    await expect(signer.sign(claims(7), headerOf(key), key)).rejects.toThrow('The signing pool is closed.');
  });

  it('refuses to start without its worker file, saying how to get one', () => {
    expect(() => pool(1, path.join(ROOT, 'no-such-dir', 'sign-worker.cjs'))).toThrow(
      /no-such-dir\/sign-worker\.cjs is missing\. Build it with `npm run build`/,
    );
  });

  it('takes 0 to 16 workers', () => {
    expect(createSigner(0)).toBeInstanceOf(InProcessSigner);
    expect(createSigner(16)).toBeInstanceOf(WorkerPoolSigner);
    for (const bad of [-1, 17, 1.5, Number.NaN]) {
      expect(() => createSigner(bad)).toThrow('signingWorkers must be a whole number from 0 to 16');
    }
  });
});

describe('an engine signing in worker threads', () => {
  const seed = (alg: SigningAlg): Workspace => ({
    settings: { signing_alg: alg },
    users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub' }],
    clients: [
      {
        client_id: API.clientId,
        client_secret: API.secret,
        grant_types: ['client_credentials'],
        scope: 'x',
        // A gateway: it introspects the tokens of every client here.
        introspect_any_token: true,
      },
      {
        client_id: SVC.clientId,
        client_secret: SVC.secret,
        grant_types: ['password'],
        scope: 'openid profile',
      },
    ],
  });
  const engines: Awaited<ReturnType<typeof startTestEngine>>[] = [];
  afterAll(async () => {
    await Promise.all(engines.map((e) => e.cleanup()));
  });
  const start = async (alg: SigningAlg, signingWorkers: number) => {
    const engine = await startTestEngine({ inMemory: true, seed: seed(alg), signingWorkers });
    engines.push(engine);
    return engine;
  };
  const clientCredentials = (issuer: string) =>
    tokenRequest(issuer, API, { grant_type: 'client_credentials', scope: 'x' });

  it.each(SIGNING_ALGS)('issues %s access and ID tokens that verify against its /jwks', async (alg) => {
    const engine = await start(alg, 2);
    const [access, password] = await Promise.all([
      Promise.all([1, 2, 3, 4].map(() => clientCredentials(engine.issuer))),
      tokenRequest(engine.issuer, SVC, {
        grant_type: 'password',
        username: 'alice',
        password: 'alice-pw',
        scope: 'openid',
      }),
    ]);
    const jwks = await currentJwks(engine.issuer);
    for (const { access_token } of [...access, password]) {
      const { payload, protectedHeader } = await jwtVerify(access_token, jwks, {
        algorithms: [alg],
        issuer: engine.issuer,
        typ: 'at+jwt',
      });
      expect(protectedHeader.alg).toBe(alg);
      expect(await introspect(engine.issuer, API, access_token)).toMatchObject({
        active: true,
        jti: payload.jti,
      });
    }
    const { payload } = await jwtVerify(password.id_token as string, jwks, {
      algorithms: [alg],
      issuer: engine.issuer,
      audience: SVC.clientId,
    });
    expect(payload.sub).toBe('alice-sub');
  });

  it('signs with the new key once a rotation completes, while tokens are being issued', async () => {
    const engine = await start('RS256', 2);
    const [original] = (await engine.call('keys.list', {})) as SigningKey[];
    const during = Array.from({ length: 12 }, () => clientCredentials(engine.issuer));
    const rotated = (await adminHttp<SigningKey>(engine, 'keys.rotate', {})) as SigningKey;
    const after = await Promise.all(Array.from({ length: 6 }, () => clientCredentials(engine.issuer)));

    // Both keys are published; every token verifies, and none issued after the rotation has the old kid.
    const jwks = await currentJwks(engine.issuer);
    const options = { algorithms: ['RS256'], issuer: engine.issuer, typ: 'at+jwt' };
    for (const { access_token } of await Promise.all(during)) {
      expect([original?.kid, rotated.kid]).toContain(decodeProtectedHeader(access_token).kid);
      await expect(jwtVerify(access_token, jwks, options)).resolves.toBeTruthy();
    }
    for (const { access_token } of after) {
      expect(decodeProtectedHeader(access_token).kid).toBe(rotated.kid);
      await expect(jwtVerify(access_token, jwks, options)).resolves.toBeTruthy();
    }
  });

  it('stops its signing workers when it closes', async () => {
    const before = await threadBaseline();
    const engine = await startTestEngine({ inMemory: true, seed: seed('ES256'), signingWorkers: 2 });
    await Promise.all([1, 2, 3, 4].map(() => clientCredentials(engine.issuer)));
    expect(osThreads()).toBeGreaterThanOrEqual(before + 2);
    await engine.cleanup();
    expect(osThreads()).toBe(before);
  });
});
