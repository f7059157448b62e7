import { describeTokens, type PlaygroundRun, tokenRequest } from './exchange';

// The client's side of the code: what it keeps from the authorization request, and redeeming it.

/** What the client keeps between the authorization request and the token request. */
export interface PkceAndState {
  verifier: string;
  challenge: string;
  state: string;
  nonce: string;
}

/** What the browser part of the flow hands the client: the code, and what redeeming it needs. */
export interface CodeInHand {
  code: string;
  redirectUri: string;
  pkce: PkceAndState;
}

/** Sets the user's parameters on a request: an empty value removes that parameter. */
export function withOverrides(params: URLSearchParams, overrides: Record<string, string>): void {
  for (const [name, value] of Object.entries(overrides)) {
    if (value === '') params.delete(name);
    else params.set(name, value);
  }
}

/**
 * POST /token with the code and the PKCE verifier; the token response, or null when refused.
 * `headers` are made for this request (a DPoP proof).
 */
export async function redeemCode(
  run: PlaygroundRun,
  { code, redirectUri, pkce }: CodeInHand,
  headers?: Record<string, string>,
  overrides: Record<string, string> = {},
) {
  const params = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: redirectUri,
    code_verifier: pkce.verifier,
  });
  withOverrides(params, overrides);
  const form = Object.fromEntries(params);
  const { http, parsed } = await tokenRequest(run, form, headers ? { headers } : {});
  run.steps.push({
    title: 'Client → POST /token (authorization_code)',
    spec: 'RFC 6749 §4.1.3–4.1.4, RFC 7636 §4.5, OIDC Core §3.1.3',
    explanation:
      'The client redeems the code with its credentials and the PKCE verifier. The provider checks the code is unused, bound to this client and redirect URI, and that SHA-256(verifier) equals the challenge.',
    http,
    values: {
      ...describeTokens(parsed),
      refresh_token: parsed?.refresh_token ? 'opaque; rotated on every use' : null,
    },
  });
  return parsed;
}
