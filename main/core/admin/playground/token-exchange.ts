import { decodeJwt } from 'jose';
import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { TOKEN_EXCHANGE_GRANT } from '../../../../shared/schemas';
import type { ClientRecord } from '../../store/clients';
import { describeToken, introspectStep, type Json, type PlaygroundRun, tokenRequest } from './exchange';
import { clientCredentialsStep, obtainToken } from './first-token';

type Input = AdminParsedInput<'playground.run'>;

const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

/** The client that exchanges (the second one, or the run's), refused before any request if it cannot. */
function exchangingClient(run: PlaygroundRun, input: Input): ClientRecord {
  const actor = input.actor_client_id ? run.deps.ctx.clients.require(input.actor_client_id) : run.client;
  if (!actor.grant_types.includes(TOKEN_EXCHANGE_GRANT)) {
    throw new AdminError(
      'invalid_input',
      `Client "${actor.client_id}" is not allowed the token-exchange grant (${TOKEN_EXCHANGE_GRANT}); choose a second client that is.`,
    );
  }
  if (
    (input.exchange_mode ?? 'delegation') === 'delegation' &&
    !actor.grant_types.includes('client_credentials')
  ) {
    throw new AdminError(
      'invalid_input',
      `In delegation, "${actor.client_id}" proves who acts with a token of its own: it needs the client_credentials grant too (or choose impersonation).`,
    );
  }
  return actor;
}

/** The `act` claim of a JWT (null for a reference token: introspection shows it then). */
function actOf(token: string | undefined): Json[string] {
  if (token?.split('.').length !== 3) return null;
  try {
    return (decodeJwt(token).act as Json[string]) ?? null;
  } catch {
    return null;
  }
}

/** POST /token with the token-exchange grant, as the actor; the response, or null when refused. */
async function exchange(
  run: PlaygroundRun,
  actor: ClientRecord,
  subjectToken: string,
  actorToken: string | null,
) {
  const form: Record<string, string> = {
    grant_type: TOKEN_EXCHANGE_GRANT,
    subject_token: subjectToken,
    subject_token_type: ACCESS_TOKEN_TYPE,
    requested_token_type: ACCESS_TOKEN_TYPE,
  };
  if (actorToken) {
    form.actor_token = actorToken;
    form.actor_token_type = ACCESS_TOKEN_TYPE;
  }
  const { http, parsed } = await tokenRequest(run, form, { client: actor });
  run.steps.push({
    title: `${actor.client_id} → POST /token (token exchange, ${actorToken ? 'delegation' : 'impersonation'})`,
    spec: actorToken ? 'RFC 8693 §2.1, §2.2.1, §4.1' : 'RFC 8693 §1.1, §2.1, §2.2.1',
    explanation: actorToken
      ? `${actor.client_id} trades the subject token, with its own token as actor_token, for a new token. The new token keeps the subject (sub) and names who acts for it in act: "${actor.client_id} acting for the user". issued_token_type says what was issued.`
      : `${actor.client_id} trades the subject token for a new one without an actor token: impersonation. The new token is the subject's, with no trace of who asked for it, so the client must be allowed to impersonate (token_exchange.may_impersonate).`,
    http,
    values: {
      issued_token_type: parsed?.issued_token_type ?? null,
      token_type: parsed?.token_type ?? null,
      act: actOf(parsed?.access_token),
      access_token: describeToken(parsed?.access_token),
    },
  });
  return parsed;
}

/**
 * RFC 8693 token exchange: a token for the subject (the user, or the client), then the second client
 * exchanges it, with an actor token of its own (delegation) or without (impersonation), and
 * introspects what it got.
 */
export async function tokenExchangeFlow(run: PlaygroundRun, input: Input): Promise<boolean> {
  const actor = exchangingClient(run, input);
  const delegation = (input.exchange_mode ?? 'delegation') === 'delegation';
  const subject = await obtainToken(run, input);
  if (!subject?.access_token) return false;
  let actorToken: string | null = null;
  if (delegation) {
    const parsed = await clientCredentialsStep(run, {
      client: actor,
      title: `Actor ${actor.client_id} → POST /token (client_credentials)`,
      explanation: `${actor.client_id} gets a token of its own. Sent as actor_token in the exchange, it proves who acts for the subject.`,
    });
    if (!parsed?.access_token) return false;
    actorToken = parsed.access_token;
  }
  const exchanged = await exchange(run, actor, subject.access_token, actorToken);
  if (!exchanged?.access_token) return false;
  const { access_token, token_type, expires_in, scope } = exchanged;
  Object.assign(run.tokens, { access_token, token_type, expires_in, scope });
  const introspection = await introspectStep(
    run,
    exchanged.access_token,
    delegation
      ? `The API that receives the exchanged token asks about it: it is active, its sub is still the subject, and act says ${actor.client_id} acts for it (RFC 8693 §4.1).`
      : 'The API that receives the exchanged token asks about it: active, for the subject, and no act (impersonation leaves none).',
    actor,
  );
  const last = run.steps.at(-1);
  if (last && 'active' in introspection) {
    last.spec = `${last.spec}, RFC 8693 §4`;
    last.values.act = (introspection as Record<string, Json[string]>).act ?? null;
  }
  return introspection.active === true || actor.token_endpoint_auth_method === 'none';
}
