import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import type { ClientRecord } from '../../store/clients';
import { signInForCode } from './authorization-code';
import { describeToken, describeTokens, type PlaygroundRun, tokenRequest } from './exchange';
import { redeemCode } from './redeem';

// How a flow gets the token it starts from: for a user (password grant, or the browser's code flow)
// or for a client itself (client credentials). Each records its steps in the run.

type Input = AdminParsedInput<'playground.run'>;
type TokenResponse = Record<string, string>;
/** Headers made for the token request itself, just before it is sent (a DPoP proof). */
type RequestHeaders = () => Promise<Record<string, string>>;

/** POST /token with client_credentials for `client`; its token response, or null when refused. */
export async function clientCredentialsStep(
  run: PlaygroundRun,
  step: { client: ClientRecord; scope?: string | undefined; title: string; explanation: string },
  headers?: RequestHeaders,
): Promise<TokenResponse | null> {
  const form: Record<string, string> = { grant_type: 'client_credentials' };
  if (step.scope) form.scope = step.scope;
  const { http, parsed } = await tokenRequest(run, form, {
    client: step.client,
    ...(headers ? { headers: await headers() } : {}),
  });
  run.steps.push({
    title: step.title,
    spec: 'RFC 6749 §4.4',
    explanation: step.explanation,
    http,
    values: { access_token: describeToken(parsed?.access_token) },
  });
  return parsed;
}

/** The run's client gets a token for itself, with no user (client credentials). */
export function serviceTokenStep(
  run: PlaygroundRun,
  scope: string | undefined,
  headers?: RequestHeaders,
): Promise<TokenResponse | null> {
  return clientCredentialsStep(
    run,
    {
      client: run.client,
      scope,
      title: 'Service → POST /token (client_credentials)',
      explanation:
        'A service gets a token for itself, with no user: the subject is the client. No refresh token is issued.',
    },
    headers,
  );
}

/** The resource owner password grant (RFC 6749 §4.3): the client sends the user's password itself. */
async function passwordStep(
  run: PlaygroundRun,
  input: Input,
  username: string,
  headers?: RequestHeaders,
): Promise<TokenResponse | null> {
  const user = run.deps.ctx.users.require(username);
  const form: Record<string, string> = { grant_type: 'password', username: user.username };
  if (user.password !== null) form.password = user.password;
  if (input.scope) form.scope = input.scope;
  const { http, parsed } = await tokenRequest(run, form, headers ? { headers: await headers() } : {});
  run.steps.push({
    title: `Client → POST /token (password, as ${user.username})`,
    spec: 'RFC 6749 §4.3, RFC 9700 §2.4',
    explanation:
      "The client sends the user's username and password itself and gets tokens for the user, with no browser. RFC 9700 says not to use this grant in real deployments; here it is a short way to a user's token.",
    http,
    values: describeTokens(parsed),
  });
  return parsed;
}

/**
 * A token for the user named in the input (password grant when the client has it, else the browser's
 * authorization code flow), or without a user one for the client itself (client credentials).
 * Refuses, before any request, a client that has none of the grants this needs.
 */
export async function obtainToken(
  run: PlaygroundRun,
  input: Input,
  headers?: RequestHeaders,
): Promise<TokenResponse | null> {
  const { client } = run;
  const grants = client.grant_types;
  if (input.username) {
    if (grants.includes('password')) return passwordStep(run, input, input.username, headers);
    if (!grants.includes('authorization_code')) {
      throw new AdminError(
        'invalid_input',
        `To get a token for ${input.username}, client "${client.client_id}" needs the password or the authorization_code grant.`,
      );
    }
    const inHand = await signInForCode(run, input);
    return inHand ? redeemCode(run, inHand, headers ? await headers() : undefined) : null;
  }
  if (!grants.includes('client_credentials')) {
    throw new AdminError(
      'invalid_input',
      `Choose a user, or a client allowed client_credentials: "${client.client_id}" cannot get a token without a user.`,
    );
  }
  return serviceTokenStep(run, input.scope, headers);
}
