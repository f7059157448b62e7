// A single-page app on keycloak-js as Keycloak's JavaScript adapter guide sets one up: the server URL,
// the realm and a public client; init with onLoad 'login-required' and S256 PKCE, so an anonymous visit
// goes straight to the realm's login page. Two init options differ from the guide's defaults, both
// documented keycloak-js options: responseMode 'query' (the sandbox returns the code in the query, not
// the fragment) and checkLoginIframe false (the realm has no login-status iframe page). The page shows
// what the adapter concluded for the test to read.
import Keycloak from 'keycloak-js';

function fail(error) {
  document.body.dataset.state = 'error';
  document.getElementById('error').textContent = String(error?.stack ?? error?.error ?? error);
  console.error(error);
}

function show(keycloak, state, extra = {}) {
  document.getElementById('session').textContent = JSON.stringify({
    authenticated: keycloak.authenticated,
    subject: keycloak.subject,
    token: keycloak.token,
    refreshToken: keycloak.refreshToken,
    tokenParsed: keycloak.tokenParsed,
    idTokenParsed: keycloak.idTokenParsed,
    realmRoles: keycloak.realmAccess?.roles ?? null,
    hasRealmRole: { admin: keycloak.hasRealmRole('admin'), owner: keycloak.hasRealmRole('owner') },
    hasResourceRole: {
      ordersViewer: keycloak.hasResourceRole('orders-viewer'),
      ordersAdmin: keycloak.hasResourceRole('orders-admin'),
    },
    ...extra,
  });
  document.body.dataset.state = state;
}

async function main() {
  const config = await (await fetch('/config.json')).json();
  const keycloak = new Keycloak({ url: config.url, realm: config.realm, clientId: config.clientId });
  await keycloak.init({
    onLoad: 'login-required',
    pkceMethod: 'S256',
    responseMode: 'query',
    checkLoginIframe: false,
  });
  show(keycloak, 'signed-in');

  let refreshes = 0;
  document.getElementById('refresh').addEventListener('click', () => {
    // -1: refresh now, whatever the token's remaining lifetime.
    keycloak.updateToken(-1).then((refreshed) => {
      refreshes += 1;
      show(keycloak, `refreshed-${refreshes}`, { refreshed });
    }, fail);
  });
  document.getElementById('userinfo').addEventListener('click', () => {
    keycloak.loadUserInfo().then((userInfo) => show(keycloak, 'userinfo', { userInfo }), fail);
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    keycloak.logout({ redirectUri: `${location.origin}/signed-out` }).catch(fail);
  });
}

if (location.pathname === '/signed-out') document.body.dataset.state = 'signed-out';
else main().catch(fail);
