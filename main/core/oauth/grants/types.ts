import type { DpopProof } from '../../protocol/dpop';
import type { Params } from '../../protocol/params';
import type { ProviderContext } from '../../provider/context';
import type { ClientRecord } from '../../store/clients';

/** What the token route hands a grant once the client is authenticated and allowed that grant. */
interface GrantInput {
  ctx: ProviderContext;
  client: ClientRecord;
  /** The form body of the token request, grant_type included. */
  params: Params;
  /**
   * The request's verified DPoP proof (RFC 9449), null without one. A grant passes `dpop?.jkt` on as
   * IssueRequest.dpopJkt so the access token it issues is bound to the proof's key.
   */
  dpop: DpopProof | null;
}

/**
 * One grant type's half of the token endpoint: validates its own parameters, issues the tokens and
 * returns the RFC 6749 §5.1 response body. Errors are thrown as OAuthError; the route answers them.
 */
export type GrantHandler = (input: GrantInput) => Promise<Record<string, unknown>>;
