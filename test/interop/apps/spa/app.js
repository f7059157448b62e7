// A plain single-page app using oidc-client-ts's UserManager the way react-oidc-context drives it.
// Its settings are the oidc-client-ts recipe's JSON file, served as it is. The page shows what the
// library concluded (data-state and the user as JSON) for the test to read.
/* global oidc */

function show(state, user) {
  document.body.dataset.state = state;
  document.getElementById('user').textContent = user
    ? JSON.stringify({
        profile: user.profile,
        access_token: user.access_token,
        refresh_token: user.refresh_token,
        scope: user.scope,
        expires_at: user.expires_at,
      })
    : '';
}

function fail(error) {
  document.body.dataset.state = 'error';
  document.getElementById('error').textContent = String(error?.stack ?? error);
  console.error(error);
}

async function main() {
  const settings = await (await fetch('/oidc-config.json')).json();
  const userManager = new oidc.UserManager(settings);
  let refreshes = 0;

  document.getElementById('sign-in').addEventListener('click', () => {
    userManager.signinRedirect().catch(fail);
  });
  document.getElementById('refresh').addEventListener('click', () => {
    // With a refresh token in hand, signinSilent uses the refresh_token grant; without one, it runs
    // /authorize?prompt=none in a hidden iframe that ends at silent_redirect_uri.
    userManager.signinSilent().then((user) => show(`refreshed-${++refreshes}`, user), fail);
  });
  document.getElementById('sign-out').addEventListener('click', () => {
    userManager.signoutRedirect().catch(fail);
  });

  const path = window.location.pathname;
  if (settings.silent_redirect_uri && path === new URL(settings.silent_redirect_uri).pathname) {
    // This page is the hidden iframe: hand the provider's answer to the UserManager of the parent page.
    return userManager.signinSilentCallback();
  }
  if (path === new URL(settings.redirect_uri).pathname) {
    const user = await userManager.signinRedirectCallback();
    window.history.replaceState({}, document.title, '/');
    return show('signed-in', user);
  }
  if (settings.post_logout_redirect_uri && path === new URL(settings.post_logout_redirect_uri).pathname) {
    await userManager.signoutRedirectCallback();
    return show('signed-out', null);
  }
  const user = await userManager.getUser();
  show(user ? 'signed-in' : 'anonymous', user);
}

main().catch(fail);
