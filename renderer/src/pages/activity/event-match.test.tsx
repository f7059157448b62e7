import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../../../shared/schemas';
import { matchesEvent } from './event-match';

function event(overrides: Partial<EngineEvent>): EngineEvent {
  return {
    id: 1,
    at: '2026-12-05T03:00:00.000Z',
    type: 'token.issued',
    client_id: 'orders-svc',
    username: 'Alice',
    token_id: 'tok-123',
    data: { kind: 'access', scope: 'api:read' },
    ...overrides,
  };
}

const failedToken = event({
  type: 'request',
  token_id: null,
  data: { endpoint: 'token', status: 401, error: 'invalid_client' },
});
const okUserinfo = event({ type: 'request', data: { endpoint: 'userinfo', status: 200 } });

describe('matchesEvent', () => {
  it('matches everything with no filter', () => {
    expect(matchesEvent(event({}), {})).toBe(true);
  });

  it('narrows by type, client, user and token exactly', () => {
    expect(matchesEvent(event({}), { type: 'token.issued' })).toBe(true);
    expect(matchesEvent(event({}), { type: 'token.revoked' })).toBe(false);
    expect(matchesEvent(event({}), { client_id: 'orders-svc', username: 'Alice' })).toBe(true);
    expect(matchesEvent(event({}), { client_id: 'orders' })).toBe(false);
    // Exact, as the engine's column comparison is.
    expect(matchesEvent(event({}), { username: 'alice' })).toBe(false);
    expect(matchesEvent(event({ client_id: null }), { client_id: 'orders-svc' })).toBe(false);
    expect(matchesEvent(event({}), { token_id: 'tok-123' })).toBe(true);
  });

  it('narrows by endpoint: only request events have one', () => {
    expect(matchesEvent(failedToken, { endpoint: 'token' })).toBe(true);
    expect(matchesEvent(okUserinfo, { endpoint: 'token' })).toBe(false);
    // Data that happens to carry an "endpoint" field is not a request.
    expect(matchesEvent(event({ data: { endpoint: 'token' } }), { endpoint: 'token' })).toBe(false);
  });

  it('keeps error responses and reuse detections for "errors only", as the engine does', () => {
    expect(matchesEvent(failedToken, { errors: true })).toBe(true);
    expect(matchesEvent(okUserinfo, { errors: true })).toBe(false);
    expect(matchesEvent(event({ type: 'token.reuse_detected' }), { errors: true })).toBe(true);
    expect(matchesEvent(event({ type: 'code.reuse_detected' }), { errors: true })).toBe(true);
    expect(matchesEvent(event({}), { errors: true })).toBe(false);
    expect(matchesEvent(failedToken, { errors: true, endpoint: 'userinfo' })).toBe(false);
  });

  it('finds free text in any case in the type, client, user, token id and data', () => {
    const e = event({});
    for (const q of ['TOKEN.ISS', 'Orders', 'alice', 'TOK-1', 'API:READ', '"kind":"access"']) {
      expect(matchesEvent(e, { q }), q).toBe(true);
    }
    expect(matchesEvent(e, { q: 'refresh' })).toBe(false);
    // The text is the data as stored (JSON): nested values and numbers are found too.
    expect(matchesEvent(failedToken, { q: '401' })).toBe(true);
    expect(
      matchesEvent(event({ data: { claims: { email: 'Carol@Example.com' } } }), { q: 'carol@example' }),
    ).toBe(true);
    // Case is folded for ASCII letters only, as SQLite's LIKE does.
    expect(matchesEvent(event({ username: 'ÉLODIE' }), { q: 'élodie' })).toBe(false);
    expect(matchesEvent(event({ username: 'ÉLODIE' }), { q: 'Élodie' })).toBe(true);
    // Fields are searched one by one: text across two of them is no match.
    expect(matchesEvent(e, { q: 'orders-svc\nalice' })).toBe(false);
    // Surrounding space is not part of the search (the contract trims it).
    expect(matchesEvent(e, { q: '  alice ' })).toBe(true);
  });

  it('needs every field of the filter', () => {
    expect(matchesEvent(failedToken, { q: 'invalid_client', client_id: 'orders-svc', errors: true })).toBe(
      true,
    );
    expect(matchesEvent(failedToken, { q: 'invalid_client', username: 'bob' })).toBe(false);
  });
});
