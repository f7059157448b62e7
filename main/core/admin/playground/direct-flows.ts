import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { clientPost, describeTokens, introspectStep, type PlaygroundRun, tokenRequest } from './exchange';
import { serviceTokenStep } from './first-token';

// The flows in which the client calls the provider directly, with no browser and no user on screen.
// Each records its steps in the run and answers whether the flow succeeded.

export async function refreshTokenFlow(
  run: PlaygroundRun,
  input: AdminParsedInput<'playground.run'>,
): Promise<boolean> {
  if (!input.token)
    throw new AdminError(
      'invalid_input',
      'Give the refresh token to use (run the authorization code flow first).',
    );
  // Known before sending: a token already rotated is reuse, and the provider will revoke its family.
  const spent = run.deps.ctx.tokenService.resolveRefreshToken(input.token)?.record.rotated_at != null;
  const { http, parsed } = await tokenRequest(run, {
    grant_type: 'refresh_token',
    refresh_token: input.token,
  });
  run.steps.push({
    title: spent
      ? 'Client → POST /token (refresh_token) with a spent refresh token: reuse'
      : 'Client → POST /token (refresh_token)',
    spec: 'RFC 6749 §6, RFC 9700 §4.14.2',
    explanation: spent
      ? 'This refresh token was already used (rotated by an earlier refresh). Sending it again is refresh token reuse: the provider cannot tell the client from a thief holding a stolen copy, so it refuses and revokes the whole token family, including the newest refresh token.'
      : 'The client trades its refresh token for new tokens. The refresh token is rotated: the old one is now used up, and presenting it again would revoke the whole token family (reuse detection).',
    http,
    values: {
      ...describeTokens(parsed),
      new_refresh_token_differs: parsed ? parsed.refresh_token !== input.token : null,
      ...(spent ? { refresh_token_reuse: true } : {}),
    },
  });
  if (!parsed) return false;
  Object.assign(run.tokens, parsed);
  return true;
}

export async function clientCredentialsFlow(
  run: PlaygroundRun,
  input: AdminParsedInput<'playground.run'>,
): Promise<boolean> {
  const parsed = await serviceTokenStep(run, input.scope);
  if (!parsed) return false;
  Object.assign(run.tokens, parsed);
  await introspectStep(
    run,
    parsed.access_token as string,
    'The API asks the provider whether the token is active and what it may do.',
  );
  return true;
}

export async function revocationFlow(
  run: PlaygroundRun,
  input: AdminParsedInput<'playground.run'>,
): Promise<boolean> {
  if (!input.token) throw new AdminError('invalid_input', 'Give the token to revoke.');
  const http = await clientPost(run, run.deps.ctx.paths.revocation, { token: input.token });
  run.steps.push({
    title: 'Client → POST /revoke',
    spec: 'RFC 7009 §2.1–2.2',
    explanation:
      'The client tells the provider it no longer needs the token. The answer is 200 even for unknown tokens. Revoking a refresh token also revokes the access tokens of its grant.',
    http,
    values: {},
  });
  await introspectStep(
    run,
    input.token,
    'Introspection now answers {"active":false}. A JWT access token would still verify locally: only services that introspect see the revocation.',
  );
  return http.response.status === 200;
}
