// A single-page app on oauth4webapi, as its docs show for a public client in a browser: authorization
// code + PKCE, every token and userinfo request with a DPoP proof (RFC 9449) of a WebCrypto key pair
// whose private key cannot be exported. The key pair lives in IndexedDB (a CryptoKey survives there as
// it is) and the tokens in sessionStorage, so a reload keeps both. When the server asks for a nonce
// (use_dpop_nonce) the request is made once more, as oauth4webapi's docs say; the handle has cached
// the DPoP-Nonce of the refusal by then. The page shows what happened for the test to read.
import * as oauth from 'oauth4webapi';

const DPOP_ALG = 'ES256';
const insecure = { [oauth.allowInsecureRequests]: true };
/** Which requests had to be made again with the server's nonce, e.g. ['token', 'userinfo']. */
const nonceRetries = [];
let shown = 0;

function fail(error) {
  document.body.dataset.state = 'error';
  document.getElementById('error').textContent = String(error?.stack ?? error);
  console.error(error);
}

function openKeyStore() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open('dpop-keys', 1);
    request.onupgradeneeded = () => request.result.createObjectStore('keys');
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function keyStore(mode, use) {
  const db = await openKeyStore();
  try {
    return await new Promise((resolve, reject) => {
      const request = use(db.transaction('keys', mode).objectStore('keys'));
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  } finally {
    db.close();
  }
}

/** This browser's DPoP key pair, made once: the private key is not extractable, so no script can copy it. */
async function dpopKeyPair() {
  const stored = await keyStore('readonly', (store) => store.get('dpop'));
  if (stored) return stored;
  const keyPair = await oauth.generateKeyPair(DPOP_ALG);
  await keyStore('readwrite', (store) => store.put(keyPair, 'dpop'));
  return keyPair;
}

/** Runs a request once more when the server answered use_dpop_nonce (RFC 9449 §8, §9). */
async function withNonceRetry(name, request) {
  try {
    return await request();
  } catch (error) {
    if (!oauth.isDPoPNonceError(error)) throw error;
    nonceRetries.push(name);
    return request();
  }
}

async function setUp() {
  const config = await (await fetch('/config.json')).json();
  const issuer = new URL(config.issuer);
  const as = await oauth
    .discoveryRequest(issuer, insecure)
    .then((response) => oauth.processDiscoveryResponse(issuer, response));
  const client = { client_id: config.client_id };
  const keyPair = await dpopKeyPair();
  return { config, as, client, keyPair, DPoP: oauth.DPoP(client, keyPair) };
}

async function signIn({ config, as, client }) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const state = oauth.generateRandomState();
  sessionStorage.setItem('pkce', JSON.stringify({ codeVerifier, state }));
  const url = new URL(as.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: client.client_id,
    redirect_uri: config.redirect_uri,
    response_type: 'code',
    scope: config.scope,
    code_challenge: await oauth.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
  }).toString();
  window.location.assign(url.href);
}

async function redeemCode({ config, as, client, DPoP }) {
  const { codeVerifier, state } = JSON.parse(sessionStorage.getItem('pkce') ?? '{}');
  sessionStorage.removeItem('pkce');
  const params = oauth.validateAuthResponse(as, client, new URL(window.location.href), state);
  const tokens = await withNonceRetry('token', async () => {
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      client,
      oauth.None(),
      params,
      config.redirect_uri,
      codeVerifier,
      { DPoP, ...insecure },
    );
    return oauth.processAuthorizationCodeResponse(as, client, response);
  });
  window.history.replaceState({}, document.title, '/');
  return { ...tokens, sub: oauth.getValidatedIdTokenClaims(tokens)?.sub };
}

async function refresh({ as, client, DPoP }, session) {
  const tokens = await withNonceRetry('refresh', async () => {
    const response = await oauth.refreshTokenGrantRequest(as, client, oauth.None(), session.refresh_token, {
      DPoP,
      ...insecure,
    });
    return oauth.processRefreshTokenResponse(as, client, response);
  });
  return { ...tokens, sub: session.sub };
}

async function userinfo({ as, client, DPoP }, session) {
  return withNonceRetry('userinfo', async () => {
    const response = await oauth.userInfoRequest(as, client, session.access_token, { DPoP, ...insecure });
    return oauth.processUserInfoResponse(as, client, session.sub, response);
  });
}

/** Shows the session and what userinfo said with it, then the state the test waits for. */
async function show(setup, state, session) {
  const claims = await userinfo(setup, session);
  sessionStorage.setItem('session', JSON.stringify(session));
  document.getElementById('session').textContent = JSON.stringify({
    token_type: session.token_type,
    access_token: session.access_token,
    refresh_token: session.refresh_token,
    userinfo: claims,
    public_jwk: await crypto.subtle.exportKey('jwk', setup.keyPair.publicKey),
    private_key_extractable: setup.keyPair.privateKey.extractable,
    nonce_retries: nonceRetries,
  });
  document.body.dataset.state = `${state}-${++shown}`;
}

async function main() {
  const setup = await setUp();
  const stored = () => JSON.parse(sessionStorage.getItem('session') ?? 'null');
  document.getElementById('sign-in').addEventListener('click', () => signIn(setup).catch(fail));
  document.getElementById('refresh').addEventListener('click', () =>
    refresh(setup, stored())
      .then((session) => show(setup, 'refreshed', session))
      .catch(fail),
  );
  document
    .getElementById('userinfo')
    .addEventListener('click', () => show(setup, 'userinfo', stored()).catch(fail));

  if (window.location.pathname === new URL(setup.config.redirect_uri).pathname) {
    return show(setup, 'signed-in', await redeemCode(setup));
  }
  document.body.dataset.state = stored() ? 'restored' : 'anonymous';
}

main().catch(fail);
