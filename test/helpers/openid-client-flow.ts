import * as oidc from 'openid-client';
import { FormBrowser } from './browser-session';

export interface CodeFlowOptions {
  redirectUri: string;
  scope: string;
  username: string;
  password?: string;
}

/**
 * openid-client's authorization code flow with PKCE, state and nonce, signing in through the issuer's
 * real login form: what a web app does against any issuer found by discovery.
 */
export async function openidClientCodeFlow(config: oidc.Configuration, options: CodeFlowOptions) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: options.redirectUri,
    scope: options.scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  const callback = await new FormBrowser().signIn(url.href, options.username, options.password);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(callback), {
    pkceCodeVerifier: verifier,
    expectedState: state,
    expectedNonce: nonce,
  });
  return { tokens, nonce };
}
