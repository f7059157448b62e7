import type { AdminParsedInput, PlaygroundFlow, PlaygroundOutput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { authorizationCodeFlow } from './authorization-code';
import { annotateClientAssertion, prepareClientKeys, redactSecrets } from './client-auth';
import { deviceCodeFlow } from './device-code';
import { clientCredentialsFlow, refreshTokenFlow, revocationFlow } from './direct-flows';
import { dpopFlow } from './dpop';
import type { PlaygroundDeps, PlaygroundRun } from './exchange';
import { jwtBearerFlow } from './jwt-bearer';
import { markOutcome } from './outcome';
import { tokenExchangeFlow } from './token-exchange';

type PlaygroundInput = AdminParsedInput<'playground.run'>;

/** One flow per contract flow name: a flow added to the contract without one here does not compile. */
const FLOWS: Record<PlaygroundFlow, (run: PlaygroundRun, input: PlaygroundInput) => Promise<boolean>> = {
  authorization_code: authorizationCodeFlow,
  refresh_token: refreshTokenFlow,
  client_credentials: clientCredentialsFlow,
  revocation: revocationFlow,
  token_exchange: tokenExchangeFlow,
  device_code: deviceCodeFlow,
  dpop: dpopFlow,
  jwt_bearer: jwtBearerFlow,
};

/** The clients of a run and the private key pasted for each (the second client only in an exchange). */
function clientsOf(deps: PlaygroundDeps, input: PlaygroundInput) {
  if (input.flow !== 'authorization_code') {
    for (const field of ['scenario', 'authorize_params', 'token_params'] as const) {
      if (input[field] !== undefined) {
        throw new AdminError('invalid_input', `${field} is used only by the authorization_code flow.`);
      }
    }
  }
  if (input.flow !== 'jwt_bearer') {
    for (const field of ['assertion_issuer', 'assertion_private_jwk'] as const) {
      if (input[field] !== undefined) {
        throw new AdminError('invalid_input', `${field} is used only by the jwt_bearer flow.`);
      }
    }
  }
  const client = deps.ctx.clients.require(input.client_id);
  const pairs = [{ client, pasted: input.client_private_jwk, field: 'client_private_jwk' }];
  if (input.flow !== 'token_exchange') {
    if (input.actor_private_jwk !== undefined) {
      throw new AdminError('invalid_input', 'actor_private_jwk is used only by the token_exchange flow.');
    }
    return { client, pairs };
  }
  const actorId = input.actor_client_id ?? client.client_id;
  if (actorId === client.client_id && input.actor_private_jwk !== undefined) {
    throw new AdminError(
      'invalid_input',
      'The second client is the first one: give its key once, in client_private_jwk.',
    );
  }
  const actor = deps.ctx.clients.require(actorId);
  pairs.push({ client: actor, pasted: input.actor_private_jwk, field: 'actor_private_jwk' });
  return { client, pairs };
}

/**
 * The flow playground: runs a real OAuth flow against this provider over HTTP, the way a client and a
 * browser would, and returns every request and response with the spec section it comes from. Pasted
 * private keys serve this run only: they are redacted from whatever it returns, errors included.
 */
export async function runPlayground(deps: PlaygroundDeps, input: PlaygroundInput): Promise<PlaygroundOutput> {
  // One list, shared with the run: what a flow is given later (the assertion key) is redacted too.
  const secrets = [input.client_private_jwk, input.actor_private_jwk, input.assertion_private_jwk].filter(
    (s): s is string => s !== undefined && s.trim() !== '',
  );
  try {
    const { client, pairs } = clientsOf(deps, input);
    const keys = await prepareClientKeys(pairs);
    secrets.push(...keys.secrets);
    const run: PlaygroundRun = {
      deps,
      issuer: deps.ctx.issuer(),
      client,
      steps: [],
      tokens: {},
      keys,
      secrets,
    };
    const ok = await FLOWS[input.flow](run, input);
    for (const step of run.steps) annotateClientAssertion(step);
    const failed_step = markOutcome(run, ok);
    return redactSecrets(
      { flow: input.flow, ok, steps: run.steps, failed_step, tokens: run.tokens },
      secrets,
    );
  } catch (error) {
    if (error instanceof Error && secrets.some((secret) => error.message.includes(secret))) {
      throw new AdminError('invalid_input', redactSecrets(error.message, secrets));
    }
    throw error;
  }
}
