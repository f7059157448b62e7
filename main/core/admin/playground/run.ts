import type { AdminParsedInput, PlaygroundOutput } from '../../../../shared/contract';
import { authorizationCodeFlow } from './authorization-code';
import { clientCredentialsFlow, refreshTokenFlow, revocationFlow } from './direct-flows';
import type { PlaygroundDeps, PlaygroundRun } from './exchange';

type PlaygroundInput = AdminParsedInput<'playground.run'>;

/** One flow per contract flow name: a flow added to the contract without one here does not compile. */
const FLOWS: Record<
  PlaygroundInput['flow'],
  (run: PlaygroundRun, input: PlaygroundInput) => Promise<boolean>
> = {
  authorization_code: authorizationCodeFlow,
  refresh_token: refreshTokenFlow,
  client_credentials: clientCredentialsFlow,
  revocation: revocationFlow,
};

/**
 * The flow playground: runs a real OAuth flow against this provider over HTTP, the way a client and a
 * browser would, and returns every request and response with the spec section it comes from.
 */
export async function runPlayground(deps: PlaygroundDeps, input: PlaygroundInput): Promise<PlaygroundOutput> {
  const run: PlaygroundRun = {
    deps,
    issuer: deps.ctx.issuer(),
    client: deps.ctx.clients.require(input.client_id),
    steps: [],
    tokens: {},
  };
  const ok = await FLOWS[input.flow](run, input);
  return { flow: input.flow, ok, steps: run.steps, tokens: run.tokens };
}
