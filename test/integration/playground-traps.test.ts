import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AdminOutput, PlaygroundInput } from '../../shared/contract';
import type { Settings } from '../../shared/schemas';
import { startTestEngine } from '../helpers/engine';
import { type AdminHttpError, adminHttp } from '../helpers/script-http';

// The playground's failures, told plainly: the step a run stopped at, its decoded OAuth error, the
// built-in mistakes of the code flow, and a spent refresh token reported as the reuse it is.

type Output = AdminOutput<'playground.run'>;

const REDIRECT = 'http://127.0.0.1:5173/callback';

let engine: Awaited<ReturnType<typeof startTestEngine>>;

beforeAll(async () => {
  engine = await startTestEngine({
    seed: {
      users: [{ username: 'alice', password: 'alice-pw', sub: 'alice-sub', claims: {} }],
      clients: [
        {
          client_id: 'front',
          client_secret: 'front-secret',
          redirect_uris: [REDIRECT],
          grant_types: ['authorization_code', 'refresh_token'],
          scope: 'openid profile',
        },
      ],
    },
  });
});
afterAll(async () => {
  await engine.cleanup();
});

const play = (input: PlaygroundInput) => adminHttp<Output>(engine, 'playground.run', input);
const code = (extra: Partial<PlaygroundInput> = {}) =>
  play({ flow: 'authorization_code', client_id: 'front', username: 'alice', ...extra });
const failing = (out: Output) => out.steps[out.failed_step ?? -1];

describe('playground: a failed run says where and why', () => {
  it('stops at /authorize with the decoded invalid_scope, and the step says it did not show a login page', async () => {
    const out = await code({ scope: 'openid no-such-scope' });
    expect(out.ok).toBe(false);
    expect(out.failed_step).toBe(1);
    const step = failing(out);
    expect(step?.title).toBe('Browser → GET /authorize');
    expect(step?.failed).toBe(true);
    expect(step?.error).toMatchObject({ error: 'invalid_scope', source: 'redirect query' });
    expect(step?.error?.error_description).toContain('no-such-scope');
    expect(step?.explanation).toMatch(
      /^This step failed: the provider redirected back \(\d+\) with invalid_scope/,
    );
    expect(out.steps.filter((s) => s.failed)).toHaveLength(1);
  });

  it('reports a completed run with no failing step, and says why a value is missing', async () => {
    const out = await code({ scope: 'profile' });
    expect(out.ok).toBe(true);
    expect(out.failed_step).toBeNull();
    const token = out.steps.find((s) => s.title.startsWith('Client → POST /token'));
    expect(token?.values.id_token).toBeNull();
    expect(token?.value_notes?.id_token).toBe('no ID token: scope had no openid');
  });

  it('sends the override parameters of /authorize and of the token request', async () => {
    const authorize = await code({ authorize_params: { scope: 'openid other-missing' } });
    expect(authorize.failed_step).toBe(1);
    expect(authorize.steps[1]?.http?.request.url).toContain('scope=openid+other-missing');
    expect(failing(authorize)?.error?.error).toBe('invalid_scope');

    const token = await code({ token_params: { redirect_uri: 'http://127.0.0.1:5173/elsewhere' } });
    expect(token.failed_step).toBe(3);
    expect(token.steps[3]?.http?.request.body).toContain(
      'redirect_uri=http%3A%2F%2F127.0.0.1%3A5173%2Felsewhere',
    );
    expect(failing(token)?.error).toMatchObject({ error: 'invalid_grant', source: 'JSON body' });
    expect(failing(token)?.value_notes?.access_token).toBe('none: the provider refused (invalid_grant)');

    // An empty value removes the parameter: a token request without the PKCE verifier.
    const noVerifier = await code({ token_params: { code_verifier: '' } });
    expect(noVerifier.steps[3]?.http?.request.body).not.toContain('code_verifier');
    expect(failing(noVerifier)?.error?.error_description).toContain('code_verifier is required');
  });

  it('refuses a scenario or override parameters outside the authorization code flow', async () => {
    const error = await play({
      flow: 'refresh_token',
      client_id: 'front',
      token: 'x',
      scenario: 'reused_code',
    }).then(
      () => null,
      (e: AdminHttpError) => e,
    );
    expect(error?.status).toBe(400);
    expect(error?.body).toEqual({
      code: 'invalid_input',
      message: 'scenario is used only by the authorization_code flow.',
    });
  });
});

describe('playground: built-in mistakes of the authorization code flow', () => {
  it('wrong code_verifier: invalid_grant at the token request, RFC 7636 §4.6', async () => {
    const out = await code({ scenario: 'wrong_verifier' });
    expect(out.ok).toBe(false);
    expect(out.failed_step).toBe(3);
    const step = failing(out);
    expect(step?.title).toBe('Client → POST /token with the wrong code_verifier');
    expect(step?.spec).toContain('RFC 7636 §4.6');
    expect(step?.http?.response.status).toBe(400);
    expect(step?.error).toMatchObject({ error: 'invalid_grant', source: 'JSON body' });
    expect(step?.error?.error_description).toContain('code_verifier does not match');
    expect(step?.explanation).toMatch(/^Deliberate mistake: .* The provider refused it\.$/);
    expect(out.tokens).toEqual({});
  });

  it('reused code: the first redemption works, the second is refused (RFC 6749 §4.1.2, §10.5)', async () => {
    const out = await code({ scenario: 'reused_code' });
    expect(out.failed_step).toBe(4);
    expect(out.steps[3]?.http?.response.status).toBe(200);
    const step = failing(out);
    expect(step?.spec).toBe('RFC 6749 §4.1.2, §10.5, §5.2');
    expect(step?.error?.error).toBe('invalid_grant');
    expect(step?.error?.error_description).toContain('already used');
  });

  it('expired code: that one code outlives its lifetime and is refused; provider time is not touched', async () => {
    const before = await adminHttp<Settings>(engine, 'settings.get', {});
    const out = await code({ scenario: 'expired_code' });
    expect(out.failed_step).toBe(4);
    expect(out.steps[3]?.values).toEqual({ authorization_code_ttl: before.authorization_code_ttl });
    const step = failing(out);
    expect(step?.spec).toContain('RFC 6749 §4.1.2');
    expect(step?.error?.error_description).toBe('The authorization code has expired.');
    const after = await adminHttp<Settings>(engine, 'settings.get', {});
    expect(after.clock_offset_seconds).toBe(before.clock_offset_seconds);
  });
});

describe('playground: a spent refresh token', () => {
  it('is reported as reuse, and the provider revokes the family', async () => {
    const first = await code();
    const spent = first.tokens.refresh_token as string;
    const refreshed = await play({ flow: 'refresh_token', client_id: 'front', token: spent });
    expect(refreshed.ok).toBe(true);
    expect(refreshed.steps[0]?.values.refresh_token_reuse).toBeUndefined();
    const fresh = refreshed.tokens.refresh_token as string;
    expect(fresh).not.toBe(spent);

    const reuse = await play({ flow: 'refresh_token', client_id: 'front', token: spent });
    expect(reuse.ok).toBe(false);
    expect(reuse.failed_step).toBe(0);
    const step = failing(reuse);
    expect(step?.title).toContain('spent refresh token: reuse');
    expect(step?.values.refresh_token_reuse).toBe(true);
    expect(step?.error?.error).toBe('invalid_grant');
    expect(step?.explanation).toContain('revokes the whole token family');

    // The family is gone: the newest refresh token is refused too.
    const after = await play({ flow: 'refresh_token', client_id: 'front', token: fresh });
    expect(failing(after)?.error?.error_description).toBe('The refresh token has been revoked.');
  });
});
