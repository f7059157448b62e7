import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminContext } from '../../main/core/admin/handlers/common';
import { previewClaims } from '../../main/core/admin/handlers/preview';
import { checkImport, exportWorkspace, importWorkspace } from '../../main/core/admin/handlers/workspace';
import { createProviderContext } from '../../main/core/provider/context';
import { createKeyManager } from '../../main/core/provider/key-manager';
import { openDatabase } from '../../main/core/store/database';
import { type AdminInput, adminContract } from '../../shared/contract';
import type { ParsedWorkspace } from '../../shared/schemas';
import { frozenClock } from '../helpers/clock';
import { tempDir } from '../helpers/engine';

// The parts of the admin service used alone, each on its own engine context over a real SQLite file.

const NOW = Date.UTC(2030, 0, 1) / 1000;
const ISSUER = 'http://127.0.0.1:9400';
const opened: { dir: string; close(): void }[] = [];

/** What the admin service is built from: a provider context and its key manager, with a current key. */
async function openAdminContext(): Promise<AdminContext> {
  const dir = tempDir('idp-sandbox-admin-');
  const db = openDatabase({ dataDir: dir });
  opened.push({ dir, close: () => db.close() });
  const ctx = createProviderContext(db, frozenClock(NOW * 1000), () => ISSUER);
  const keyManager = createKeyManager(ctx);
  await keyManager.ensureCurrent();
  return {
    ctx,
    keyManager,
    dataDir: dir,
    startedAt: new Date(0),
    port: () => 9400,
    localOrigin: () => ISSUER,
  };
}

/** A workspace document as workspace.import receives it: parsed by the contract, defaults applied. */
function parsedWorkspace(document: AdminInput<'workspace.import'>): ParsedWorkspace {
  return adminContract['workspace.import'].input.parse(document);
}

const SEED = parsedWorkspace({
  users: [
    {
      username: 'alice',
      sub: 'alice-sub',
      claims: { email: 'alice@example.test', name: 'Alice', department: 'research' },
    },
  ],
  clients: [
    {
      client_id: 'web',
      redirect_uris: ['http://localhost:3000/callback'],
      scope: 'openid email',
      audience: ['https://api.example'],
      id_token_ttl: 600,
      access_token_ttl: 900,
    },
  ],
});

let admin: AdminContext;

beforeAll(async () => {
  admin = await openAdminContext();
  await importWorkspace(admin, SEED);
});

afterAll(() => {
  for (const { dir, close } of opened) {
    close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('previewClaims', () => {
  it('shows the claims a client would get, with its scope, audience and lifetimes', () => {
    const preview = previewClaims(admin.ctx, { username: 'alice', client_id: 'web' });
    expect(preview.id_token).toEqual({
      email: 'alice@example.test',
      department: 'research',
      iss: ISSUER,
      sub: 'alice-sub',
      aud: 'web',
      iat: NOW,
      exp: NOW + 600,
      auth_time: NOW,
    });
    expect(preview.access_token).toEqual({
      department: 'research',
      iss: ISSUER,
      sub: 'alice-sub',
      aud: 'https://api.example',
      client_id: 'web',
      scope: 'openid email',
      iat: NOW,
      exp: NOW + 900,
    });
    expect(preview.userinfo).toEqual({
      email: 'alice@example.test',
      department: 'research',
      sub: 'alice-sub',
    });
  });

  it('without a client, uses placeholders, the default scope and the engine-wide lifetimes', () => {
    const settings = admin.ctx.settings.get();
    const preview = previewClaims(admin.ctx, { username: 'alice' });
    expect(preview.id_token).toMatchObject({
      aud: '<client_id>',
      name: 'Alice',
      exp: NOW + settings.id_token_ttl,
    });
    expect(preview.access_token).toMatchObject({
      aud: '<audience>',
      client_id: '<client_id>',
      scope: 'openid profile email',
      exp: NOW + settings.access_token_ttl,
    });
  });

  it('an explicit scope wins over the client scope', () => {
    const preview = previewClaims(admin.ctx, { username: 'alice', client_id: 'web', scope: 'openid' });
    expect(preview.access_token).toMatchObject({ scope: 'openid' });
    expect(preview.userinfo).toEqual({ department: 'research', sub: 'alice-sub' });
  });

  it('refuses an unknown user or client as not_found', () => {
    expect(() => previewClaims(admin.ctx, { username: 'nobody' })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
    expect(() => previewClaims(admin.ctx, { username: 'alice', client_id: 'nope' })).toThrow(
      expect.objectContaining({ code: 'not_found' }),
    );
  });
});

describe('checkImport', () => {
  it('refuses a username twice, naming both JSON paths', async () => {
    const twice = parsedWorkspace({
      users: [{ username: 'bob' }, { username: 'carol' }, { username: 'bob' }],
    });
    await expect(checkImport(twice)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'users[2].username: "bob" appears twice in this import (also at users[0]).',
    });
  });

  it('refuses a client_id twice', async () => {
    const client = { client_id: 'svc', grant_types: ['client_credentials' as const] };
    await expect(checkImport(parsedWorkspace({ clients: [client, client] }))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^clients\[1\]\.client_id: "svc" appears twice/),
    });
  });

  it('refuses keys without exactly one current key, and a signing_alg other than its alg', async () => {
    const [current] = exportWorkspace(admin.ctx, true).keys ?? [];
    if (!current) throw new Error('the context has no current key');
    await expect(
      checkImport(parsedWorkspace({ keys: [current, { ...current, kid: 'second' }] })),
    ).rejects.toMatchObject({ message: 'keys: exactly one key must have status "current".' });
    const otherAlg = current.alg === 'ES256' ? 'RS256' : 'ES256';
    await expect(
      checkImport(parsedWorkspace({ keys: [current], settings: { signing_alg: otherAlg } })),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^settings\.signing_alg: "\w+" differs from the current key's alg/),
    });
  });

  it('refuses a private key that is not one, at its JSON path', async () => {
    const [current] = exportWorkspace(admin.ctx, true).keys ?? [];
    if (!current) throw new Error('the context has no current key');
    const broken = { ...current, private_jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA', d: 'AA' } };
    await expect(checkImport(parsedWorkspace({ keys: [broken] }))).rejects.toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/^keys\[0\]\.private_jwk: /),
    });
  });

  it('makes the current key decide signing_alg, and writes nothing', async () => {
    const usersBefore = admin.ctx.users.list().length;
    const [current] = exportWorkspace(admin.ctx, true).keys ?? [];
    if (!current) throw new Error('the context has no current key');
    const checked = await checkImport(parsedWorkspace({ users: [{ username: 'dave' }], keys: [current] }));
    expect(checked.currentKey?.kid).toBe(current.kid);
    expect(checked.settings).toEqual({ signing_alg: current.alg });
    expect(admin.ctx.users.list()).toHaveLength(usersBefore);
  });
});

describe('exportWorkspace and importWorkspace', () => {
  it('an export with keys, imported into another engine, gives back the same workspace', async () => {
    const exported = exportWorkspace(admin.ctx, true);
    const other = await openAdminContext();
    const summary = await importWorkspace(other, parsedWorkspace(exported));
    expect(summary).toEqual({ users: 1, clients: 1, keys: 1, settings: true });
    const { keys: importedKeys, ...imported } = exported;
    const { keys: otherKeys, ...reExported } = exportWorkspace(other.ctx, true);
    expect(reExported).toEqual(imported);
    // The imported key signs; the other engine's own key stays published as the previous one.
    expect(otherKeys?.find((k) => k.status === 'current')).toEqual(importedKeys?.[0]);
    expect(otherKeys?.map((k) => k.status).sort()).toEqual(['current', 'previous']);
    expect(other.ctx.events.list({}).map((e) => e.type)).toContain('workspace.imported');
  });

  it('leaves private keys out unless asked', () => {
    expect(exportWorkspace(admin.ctx, false).keys).toBeUndefined();
  });
});
