import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { hashTokenValue } from '../../main/core/lib/secrets';
import {
  isTokenId,
  OPAQUE_VALUE_LENGTH,
  opaqueValue,
  TOKEN_ID_LENGTH,
  tokenId,
} from '../../main/core/lib/token-values';
import { openDatabase } from '../../main/core/store/database';
import { GrantStore } from '../../main/core/store/grants';
import {
  REUSE_DETECTED,
  type TokenRecord,
  TokenStore,
  tokenDto,
  tokenState,
} from '../../main/core/store/tokens';
import type { TokenState } from '../../shared/schemas';
import { TOKEN_STATES } from '../../shared/schemas';

const NOW = 1_800_000_000;

let seq = 0;
function token(overrides: Partial<TokenRecord> = {}): TokenRecord {
  seq += 1;
  return {
    id: `t${seq}`,
    kind: 'refresh',
    format: 'opaque',
    value_hash: hashTokenValue(`value-${seq}`),
    secret_hash: null,
    jwt: null,
    client_id: 'web',
    user_id: 'u1',
    username: 'alice',
    subject: 'alice-sub',
    grant_id: null,
    parent_id: null,
    scope: 'openid',
    audience: ['web'],
    claims: {},
    issued_at: NOW - 100,
    expires_at: NOW + 100,
    revoked_at: null,
    revoked_reason: null,
    rotated_at: null,
    last_used_at: null,
    flaws: null,
    grant_type: null,
    ...overrides,
  };
}

/** Every combination of the four conditions, with the state the documented precedence gives it. */
const revocations = [
  { name: 'not revoked', fields: {}, state: null },
  { name: 'revoked', fields: { revoked_at: NOW - 10, revoked_reason: 'revoked_by_admin' }, state: 'revoked' },
  {
    name: 'reuse detected',
    fields: { revoked_at: NOW - 10, revoked_reason: REUSE_DETECTED },
    state: 'reuse_detected',
  },
] as const;
const cases = revocations.flatMap((revocation) =>
  [false, true].flatMap((rotated) =>
    [false, true].map((expired) => {
      const expected: TokenState = revocation.state ?? (rotated ? 'rotated' : expired ? 'expired' : 'active');
      return {
        label: `${revocation.name}, ${rotated ? 'rotated' : 'not rotated'}, ${expired ? 'expired' : 'unexpired'}`,
        fields: {
          ...revocation.fields,
          rotated_at: rotated ? NOW - 20 : null,
          expires_at: expired ? NOW - 1 : NOW + 100,
        } as Partial<TokenRecord>,
        expected,
      };
    }),
  ),
);

describe('tokenState precedence: reuse_detected > revoked > rotated > expired > active', () => {
  it.each(cases)('$label → $expected', ({ fields, expected }) => {
    expect(tokenState(token(fields), NOW)).toBe(expected);
  });

  it('counts a token as expired from the second it expires', () => {
    expect(tokenState(token({ expires_at: NOW + 1 }), NOW)).toBe('active');
    expect(tokenState(token({ expires_at: NOW }), NOW)).toBe('expired');
  });

  it('covers every state the schema knows', () => {
    expect(new Set(cases.map((c) => c.expected))).toEqual(new Set(TOKEN_STATES));
  });
});

describe('TokenStore', () => {
  const db = openDatabase({});
  const store = new TokenStore(db);
  const grants = new GrantStore(db);
  afterAll(() => db.close());
  beforeEach(() => store.deleteAll());

  it('filters by state in SQL exactly as tokenState decides', () => {
    const records = cases.map(({ fields }) => token(fields));
    for (const record of records) store.insert(record);
    for (const state of TOKEN_STATES) {
      const { tokens, total } = store.list({ state }, NOW);
      const expected = records.filter((r) => tokenState(r, NOW) === state).map((r) => r.id);
      expect(tokens.map((t) => t.id).sort()).toEqual(expected.sort());
      expect(total).toBe(expected.length);
      for (const t of tokens) expect(tokenDto(t, NOW).state).toBe(state);
    }
  });

  it('finds tokens stored before schema 3 by the hash of their whole value only', () => {
    const record = token({ value_hash: hashTokenValue('secret-value') });
    store.insert(record);
    expect(hashTokenValue('secret-value')).not.toContain('secret-value');
    expect(store.findByValue('secret-value')?.id).toBe(record.id);
    expect(store.findByValue(record.value_hash as string)).toBeUndefined();
    expect(store.findById(record.id)).toEqual(record);
  });

  it('finds an id-prefixed opaque token only with its own secret', () => {
    const id = tokenId(NOW * 1000);
    const { value, secretHash } = opaqueValue(id);
    const record = token({ id, value_hash: null, secret_hash: secretHash });
    store.insert(record);
    expect(value.length).toBe(OPAQUE_VALUE_LENGTH);
    expect(value.startsWith(id)).toBe(true);
    expect(store.findByValue(value)).toEqual(record);

    const secret = value.slice(TOKEN_ID_LENGTH);
    const flipped = `${secret[0] === 'A' ? 'B' : 'A'}${secret.slice(1)}`;
    expect(store.findByValue(id + flipped), 'another secret').toBeUndefined();
    expect(store.findByValue(id + secretHash.slice(0, 43)), 'the stored hash as secret').toBeUndefined();
    expect(store.findByValue(value.slice(0, -1)), 'a truncated value').toBeUndefined();
    expect(store.findByValue(`${value}A`), 'a longer value').toBeUndefined();
    const other = opaqueValue(tokenId(NOW * 1000));
    expect(
      store.findByValue(id + other.value.slice(TOKEN_ID_LENGTH)),
      "another token's secret",
    ).toBeUndefined();
  });

  it('reads back every column exactly as stored, by id, by value and in a list', () => {
    // Lookups read a row as the JSON text of its columns; lists read it column by column.
    const hostile = 'q"uote \\ back\nslash\t\u0001\u001f \u2028\u2029 é 日本 😀 </script> \ufeff';
    const id = tokenId(NOW * 1000);
    const { value, secretHash } = opaqueValue(id);
    const record = token({
      id,
      kind: 'access',
      format: 'reference',
      value_hash: null,
      secret_hash: secretHash,
      client_id: hostile,
      user_id: `u-${hostile}`,
      username: hostile,
      subject: `sub ${hostile}`,
      grant_id: null,
      parent_id: `p-${hostile}`,
      scope: `openid ${hostile}`,
      audience: [hostile, 'api', ''],
      claims: {
        [hostile]: hostile,
        nested: { list: [1, -2.5, 1e21, 2 ** 53 - 1, null, true, { '': 'empty key' }] },
        ['__proto__']: 'an own claim named __proto__',
      },
      issued_at: 2 ** 53 - 1,
      expires_at: -1,
      revoked_at: 0,
      revoked_reason: hostile,
      rotated_at: NOW,
      last_used_at: NOW - 1,
      flaws: [hostile, 'aud'],
      grant_type: hostile,
    });
    const empty = token({ claims: {}, audience: [], username: null, user_id: null, flaws: [] });
    store.insert(record);
    store.insert(empty);
    expect(Object.hasOwn(record.claims, '__proto__')).toBe(true);
    for (const stored of [record, empty]) {
      expect(store.findById(stored.id)).toStrictEqual(stored);
      const listed = store.list({}, NOW).tokens.find((t) => t.id === stored.id);
      expect(listed && { ...listed, seq: undefined }).toStrictEqual({ ...stored, seq: undefined });
    }
    expect(store.findByValue(value)).toStrictEqual(record);
    expect(Object.hasOwn(store.findByValue(value)?.claims ?? {}, '__proto__')).toBe(true);
    expect(store.findByValue(`prefix.${value}`), 'an enveloped value').toStrictEqual(record);
  });

  it('does not find a pre-schema-3 token by an id-prefixed value, nor a new one by its value hash', () => {
    const forged = opaqueValue(tokenId(NOW * 1000)).value.slice(TOKEN_ID_LENGTH);
    // A value in the new layout naming the old token's id: the old row has no secret hash to match.
    const legacyId = tokenId(NOW * 1000);
    store.insert(token({ id: legacyId }));
    expect(store.findByValue(legacyId + forged)).toBeUndefined();

    const id = tokenId(NOW * 1000);
    const { value, secretHash } = opaqueValue(id);
    store.insert(token({ id, value_hash: null, secret_hash: secretHash }));
    expect(store.findByValue(hashTokenValue(value))).toBeUndefined();
    expect(store.findByValue(value)?.id).toBe(id);
  });

  it('makes token ids that sort in the order of their time, with 80 random bits', () => {
    const ids = [0, 1, 31, 32, 1_000, 1_800_000_000_000, 1_800_000_000_001, 2 ** 48].map((ms) => tokenId(ms));
    for (const id of ids) expect(isTokenId(id), id).toBe(true);
    expect([...ids].sort()).toEqual(ids);
    const sameMs = Array.from({ length: 1000 }, () => tokenId(NOW * 1000));
    expect(new Set(sameMs).size).toBe(1000);
    expect(new Set(sameMs.map((id) => id.slice(0, 10))).size).toBe(1);
    // Every one of the 32 characters turns up in every random position over 1,000 ids.
    for (let position = 10; position < TOKEN_ID_LENGTH; position++) {
      expect(new Set(sameMs.map((id) => id[position])).size, `position ${position}`).toBe(32);
    }
    expect(isTokenId(`${ids[0]?.slice(0, -1)}u`), 'u is not in the alphabet').toBe(false);
  });

  it('rotates a refresh token once: a second rotation, or rotating a revoked token, is refused', () => {
    const fresh = token();
    const revoked = token({ revoked_at: NOW - 1, revoked_reason: 'revoked_by_admin' });
    store.insert(fresh);
    store.insert(revoked);
    expect(store.markRotated(fresh.id, NOW)).toBe(true);
    expect(store.markRotated(fresh.id, NOW + 1)).toBe(false);
    expect(store.findById(fresh.id)).toMatchObject({ rotated_at: NOW, last_used_at: NOW });
    expect(tokenState(store.findById(fresh.id) as TokenRecord, NOW)).toBe('rotated');
    expect(store.markRotated(revoked.id, NOW)).toBe(false);
  });

  it('keeps the first revocation and its reason; a reuse after rotation wins over rotated', () => {
    const record = token();
    store.insert(record);
    expect(store.revoke(record.id, 'revoked_by_client', NOW)).toBe(true);
    expect(store.revoke(record.id, REUSE_DETECTED, NOW + 5)).toBe(false);
    expect(store.findById(record.id)).toMatchObject({ revoked_at: NOW, revoked_reason: 'revoked_by_client' });

    const replayed = token();
    store.insert(replayed);
    store.markRotated(replayed.id, NOW);
    store.revoke(replayed.id, REUSE_DETECTED, NOW + 1);
    expect(tokenState(store.findById(replayed.id) as TokenRecord, NOW + 1)).toBe('reuse_detected');
  });

  it('revokes by grant, user or client only what is not revoked yet, and returns those ids', () => {
    const grant = grants.create({
      client_id: 'web',
      user_id: 'u1',
      username: 'alice',
      subject: 'alice-sub',
      scope: 'openid',
      session_id: null,
      auth_time: NOW,
      created_at: NOW,
    });
    const a = token({ grant_id: grant.id });
    const b = token({ grant_id: grant.id, revoked_at: NOW - 5, revoked_reason: 'revoked_by_admin' });
    const other = token({ user_id: 'u2', username: 'bob', client_id: 'spa' });
    for (const t of [a, b, other]) store.insert(t);

    expect(store.revokeWhere('grant_id', grant.id, 'revoked_by_admin', NOW)).toEqual([a.id]);
    expect(store.findById(b.id)?.revoked_at).toBe(NOW - 5);
    expect(store.revokeWhere('user_id', 'u1', 'x', NOW)).toEqual([]);
    expect(store.revokeWhere('client_id', 'spa', 'client_deleted', NOW)).toEqual([other.id]);
  });

  it('lists newest first with filters, total and paging', () => {
    const older = token({ kind: 'access', format: 'jwt', value_hash: null, issued_at: NOW - 50 });
    const newer = token({ kind: 'access', format: 'reference', issued_at: NOW - 10 });
    const bobs = token({ username: 'bob', user_id: 'u2', client_id: 'spa' });
    for (const t of [older, newer, bobs]) store.insert(t);

    expect(store.list({ kind: 'access' }, NOW).tokens.map((t) => t.id)).toEqual([newer.id, older.id]);
    expect(store.list({ format: 'jwt' }, NOW).tokens.map((t) => t.id)).toEqual([older.id]);
    expect(store.list({ username: 'bob' }, NOW).tokens.map((t) => t.id)).toEqual([bobs.id]);
    expect(store.list({ client_id: 'web', username: 'bob' }, NOW).total).toBe(0);
    const page = store.list({ username: 'alice', limit: 1, offset: 1 }, NOW);
    expect(page.total).toBe(2);
    expect(page.tokens.map((t) => t.id)).toEqual([older.id]);
  });

  it('purges only tokens that expired before the cutoff', () => {
    const gone = token({ expires_at: NOW - 10 });
    const edge = token({ expires_at: NOW });
    const live = token({ expires_at: NOW + 10 });
    for (const t of [gone, edge, live]) store.insert(t);
    expect(store.purgeExpiredBefore(NOW)).toBe(1);
    expect(store.findById(gone.id)).toBeUndefined();
    expect(store.findById(edge.id)).toBeDefined();
  });
});
