// The Node API for test suites (main/sdk), from its sources: typed admin calls through the engine's
// validation, the event iterator, the clock, deterministic keys and close(). sdk-pack.test.ts runs the
// packed package the way a user's project does.
import fs from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { type Sandbox, type StartSandboxOptions, startSandbox } from '../../main/sdk';
import { AdminError } from '../../shared/errors';
import type { EngineEvent } from '../../shared/schemas';
import { tempDir } from '../helpers/engine';

const SEED = {
  users: [{ username: 'alice', password: 'alice-pw', claims: { email: 'alice@example.test' } }],
  clients: [
    {
      client_id: 'svc',
      client_secret: 'svc-secret',
      grant_types: ['client_credentials' as const],
      scope: 'orders:read',
      audience: ['orders-api'],
    },
  ],
};

const open: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((sandbox) => sandbox.close()));
});

async function start(options: StartSandboxOptions = {}): Promise<Sandbox> {
  const sandbox = await startSandbox(options);
  open.push(sandbox);
  return sandbox;
}

async function jwks(sandbox: Sandbox): Promise<unknown> {
  return (await fetch(`${sandbox.issuer}/jwks`)).json();
}

/** The next event of `type`, skipping others (requests, logins…). */
async function nextOfType(sandbox: Sandbox, type: EngineEvent['type']): Promise<EngineEvent> {
  for await (const event of sandbox.events) if (event.type === type) return event;
  throw new Error(`the event stream ended before a ${type} event`);
}

describe('startSandbox', () => {
  it('serves on a free port from a seed object, with a typed admin client over the contract', async () => {
    const sandbox = await start({ seed: SEED });
    expect(sandbox.issuer).toBe(`http://127.0.0.1:${sandbox.port}`);
    const discovery = (await (await fetch(`${sandbox.issuer}/.well-known/openid-configuration`)).json()) as {
      issuer: string;
    };
    expect(discovery.issuer).toBe(sandbox.issuer);

    expect((await sandbox.admin.users.list({})).map((user) => user.username)).toEqual(['alice']);
    const bob = await sandbox.admin.call('users.create', { username: 'bob', claims: { roles: ['qa'] } });
    expect(bob.claims).toEqual({ roles: ['qa'] });
    expect((await sandbox.admin.clients.get({ client_id: 'svc' })).audience).toEqual(['orders-api']);

    // The engine's validation, as for the UI: an empty username is refused naming the field.
    const refused = sandbox.admin.users.create({ username: '' });
    await expect(refused).rejects.toBeInstanceOf(AdminError);
    await expect(refused).rejects.toThrow(/username/);
  });

  it('mints a token that verifies against its JWKS, and reports it on the event iterator', async () => {
    const sandbox = await start({ seed: SEED });
    const minted = await sandbox.admin.tokens.mint({ client_id: 'svc', username: 'alice' });
    const { payload } = await jwtVerify(minted.value, createRemoteJWKSet(new URL(`${sandbox.issuer}/jwks`)), {
      issuer: sandbox.issuer,
      audience: 'orders-api',
    });
    expect(payload.sub).toBe(minted.token.subject);
    const issued = await nextOfType(sandbox, 'token.issued');
    expect(issued.token_id).toBe(minted.token.id);

    // Leaving a loop keeps the stream: a revocation made now is the next thing a new loop sees.
    await sandbox.admin.tokens.revoke({ id: minted.token.id });
    expect((await nextOfType(sandbox, 'token.revoked')).token_id).toBe(minted.token.id);
  });

  it('moves provider time with the clock controls', async () => {
    const sandbox = await start({ seed: SEED });
    await sandbox.clock.advance(3600);
    await sandbox.clock.advance(-600);
    expect(await sandbox.clock.offset()).toBe(3000);
    const { value } = await sandbox.admin.tokens.mint({ client_id: 'svc' });
    const { payload } = await jwtVerify(value, createRemoteJWKSet(new URL(`${sandbox.issuer}/jwks`)), {
      currentDate: new Date((await sandbox.clock.now()).getTime()),
    });
    expect((payload.iat as number) - Date.now() / 1000).toBeGreaterThan(2990);
    await sandbox.clock.set(0);
    expect((await sandbox.admin.settings.get({})).clock_offset_seconds).toBe(0);
  });

  it('derives the same signing key from the same deterministicKeys seed, and another from another', async () => {
    const first = await start({ seed: SEED, deterministicKeys: 'snapshot-1' });
    const again = await start({ seed: SEED, deterministicKeys: 'snapshot-1' });
    const other = await start({ deterministicKeys: 'snapshot-2' });
    expect(await jwks(again)).toEqual(await jwks(first));
    expect(await jwks(other)).not.toEqual(await jwks(first));
    const { keys } = (await jwks(first)) as { keys: Array<{ alg: string; kty: string }> };
    expect(keys.map(({ alg, kty }) => ({ alg, kty }))).toEqual([{ alg: 'ES256', kty: 'EC' }]);

    // EdDSA when the seed asks for it; its tokens verify with the derived key.
    const edSeed = { ...SEED, settings: { signing_alg: 'EdDSA' as const } };
    const ed = await start({ seed: edSeed, deterministicKeys: 'snapshot-1' });
    const edAgain = await start({ seed: edSeed, deterministicKeys: 'snapshot-1' });
    expect(await jwks(edAgain)).toEqual(await jwks(ed));
    const { value } = await ed.admin.tokens.mint({ client_id: 'svc' });
    const verified = await jwtVerify(value, createRemoteJWKSet(new URL(`${ed.issuer}/jwks`)));
    expect(verified.protectedHeader.alg).toBe('EdDSA');
  });

  it('refuses deterministicKeys for RSA, naming what to do', async () => {
    await expect(
      startSandbox({ seed: { settings: { signing_alg: 'RS256' } }, deterministicKeys: 'x' }),
    ).rejects.toThrow(/ES256 or EdDSA.*settings\.signing_alg is RS256.*include_keys/);
  });

  it('works on another issuer of the workspace once selected, named methods and call alike', async () => {
    const sandbox = await start({ seed: SEED });
    const acme = await sandbox.admin.issuers.create({ name: 'acme', profile: 'keycloak' });
    expect(acme.issuer).toBe(`${sandbox.issuer}/realms/acme`);
    sandbox.admin.issuer.select(acme.id);
    await sandbox.admin.users.create({ username: 'carol' });
    expect((await sandbox.admin.call('users.list', {})).map((user) => user.username)).toEqual(['carol']);
    sandbox.admin.issuer.select('root');
    expect((await sandbox.admin.users.list({})).map((user) => user.username)).toEqual(['alice']);
  });

  it('reads a seed file, and close() ends the event iterator and the server', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'seed.json');
    fs.writeFileSync(file, JSON.stringify(SEED));
    const sandbox = await startSandbox({ seed: file });
    expect((await sandbox.admin.clients.list({})).map((client) => client.client_id)).toEqual(['svc']);
    const waiting = sandbox.events.next();
    await sandbox.close();
    await sandbox.close(); // twice is fine
    expect(await waiting).toEqual({ value: undefined, done: true });
    await expect(fetch(`${sandbox.issuer}/jwks`)).rejects.toThrow();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says which seed file is missing', async () => {
    await expect(startSandbox({ seed: '/nonexistent/seed.json' })).rejects.toThrow(
      'seed file /nonexistent/seed.json does not exist.',
    );
  });
});
