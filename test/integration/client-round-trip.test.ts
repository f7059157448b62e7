import { exportJWK, generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput } from '../../shared/contract';
import { startTestEngine } from '../helpers/engine';

/** What the admin API answers for a client, it accepts back unchanged (issue: null lifetimes were refused). */

let engine: Awaited<ReturnType<typeof startTestEngine>>;
beforeAll(async () => {
  engine = await startTestEngine({});
});
afterAll(async () => {
  await engine.cleanup();
});

type Client = AdminOutput<'clients.get'>;
const get = (client_id: string) => engine.call('clients.get', { client_id }) as Promise<Client>;
const update = (input: unknown) => engine.call('clients.update', input) as Promise<Client>;
/** The client without its updated_at, which a save moves on. */
const stable = ({ updated_at: _, ...client }: Client) => client;

describe('clients.get → clients.update', () => {
  it('takes a secret client with default lifetimes (nulls) back as it was', async () => {
    await engine.call('clients.create', {
      client_id: 'web',
      redirect_uris: ['http://127.0.0.1:5173/cb'],
      audience: ['orders-api'],
    });
    const before = await get('web');
    expect(before).toMatchObject({ access_token_ttl: null, jwks: null, jwks_uri: null, client_name: null });
    expect(stable(await update(before))).toEqual(stable(before));
  });

  it('takes a private_key_jwt client with its keys and a lifetime back as it was', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    await engine.call('clients.create', {
      client_id: 'worker',
      grant_types: ['client_credentials'],
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1' }] },
      access_token_ttl: 300,
    });
    const before = await get('worker');
    expect(before).toMatchObject({ client_secret: null, access_token_ttl: 300, id_token_ttl: null });
    expect(stable(await update(before))).toEqual(stable(before));
    // An edit of the answer is applied, and null goes back to the default.
    const edited = await update({ ...before, access_token_ttl: null, scope: 'orders:read' });
    expect(edited).toMatchObject({ access_token_ttl: null, scope: 'orders:read', jwks: before.jwks });
  });

  it('still refuses what is wrong in such an answer, naming the field', async () => {
    const before = await get('web');
    await expect(update({ ...before, access_token_ttl: 0 })).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringContaining('access_token_ttl'),
    });
    await expect(update({ ...before, unknown_field: 1 })).rejects.toMatchObject({ code: 'invalid_input' });
    expect(stable(await get('web'))).toEqual(stable(before));
  });
});
