import { createHash } from 'node:crypto';
import { ICON_DATA_URI } from '../../../shared/icon';
import { escapeHtml } from '../lib/security-headers';

const STYLE = `
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;background:#f4f5f7;color:#1f2328;margin:0}
main{max-width:28rem;margin:3rem auto;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:1.5rem 1.75rem}
h1{font-size:1.3rem;margin:0 0 .25rem}p.sub{color:#59636e;margin:0 0 1.25rem;font-size:.9rem}
ul.users{list-style:none;padding:0;margin:0 0 1.25rem;display:grid;gap:.5rem}
ul.users button{width:100%;text-align:left;padding:.6rem .8rem;border:1px solid #d0d7de;border-radius:8px;background:#f6f8fa;cursor:pointer;font:inherit}
ul.users button:hover,ul.users button:focus{border-color:#0969da;background:#ddf4ff}
ul.users small{display:block;color:#59636e}
label{display:block;font-size:.85rem;margin:.6rem 0 .2rem}input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.5rem;border:1px solid #d0d7de;border-radius:6px;font:inherit}
button.primary{margin-top:1rem;padding:.55rem 1rem;border:0;border-radius:6px;background:#0969da;color:#fff;font:inherit;cursor:pointer}
.error{background:#ffebe9;border:1px solid #ff8182;border-radius:6px;padding:.6rem .8rem;margin-bottom:1rem}
h2{font-size:.95rem;margin:1.25rem 0 .25rem}code{background:#f6f8fa;padding:.1rem .3rem;border-radius:4px}`;

// Inline, so the page needs nothing but itself (its CSP allows images from data: only besides 'self').
const ICON_LINK = `<link rel="icon" href="${escapeHtml(ICON_DATA_URI)}">`;

/**
 * The only script on the provider's pages. The session cookie reaches every port of the host, so it
 * alone must not let a session be reused: at sign-in this script keeps a fresh random secret in the
 * provider origin's localStorage (which other ports cannot read) and posts it with the form; on the
 * page that reuses a session it posts that secret back. Without script, sign-in still works and the
 * session is simply never reused.
 */
export const BROWSER_SECRET_SCRIPT = `(()=>{
const key='idp_sandbox_browser_secret';
const store=(value)=>{try{if(value===null)return localStorage.getItem(key);localStorage.setItem(key,value);return value}catch{return null}};
for(const form of document.querySelectorAll('form[data-sign-in]')){form.addEventListener('submit',()=>{
const bytes=crypto.getRandomValues(new Uint8Array(32));
const secret=btoa(String.fromCharCode(...bytes)).replace(/\\+/g,'-').replace(/\\//g,'_').replace(/=+$/,'');
if(store(secret)===secret)form.elements.namedItem('browser_secret').value=secret;})}
const resume=document.getElementById('resume');
if(resume){resume.elements.namedItem('browser_secret').value=store(null)??'';resume.submit()}
})();`;

/** The CSP source that lets exactly BROWSER_SECRET_SCRIPT run. */
export const BROWSER_SECRET_SCRIPT_SOURCE = `'sha256-${createHash('sha256').update(BROWSER_SECRET_SCRIPT).digest('base64')}'`;

const SECRET_FIELD = '<input type="hidden" name="browser_secret" value="">';

export function layout(title: string, body: string, withScript = false): string {
  const script = withScript ? `<script>${BROWSER_SECRET_SCRIPT}</script>` : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)} · IDP Sandbox</title>${ICON_LINK}<style>${STYLE}</style></head><body><main>${body}</main>${script}</body></html>`;
}

export function errorPage(title: string, description: string): string {
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1><p class="sub">IDP Sandbox did not redirect back to the application, because it cannot trust where to send you.</p><div class="error" role="alert">${escapeHtml(description)}</div>`,
  );
}

interface LoginPageUser {
  username: string;
  name: string | null;
  hasPassword: boolean;
}

interface LoginPageInput {
  interactionId: string;
  clientName: string;
  users: LoginPageUser[];
  /** The username the form starts with: login_hint, or what was typed before a refused attempt. */
  loginHint: string | null;
  error: string | null;
}

/**
 * The sign-in forms of the login and device pages: one-click buttons for test users and a plain
 * username/password form, both posting to `action` with the page's hidden fields.
 */
function signInForms(
  action: string,
  hidden: string,
  users: LoginPageUser[],
  loginHint: string | null,
  /** After a wrong password the username is kept: the cursor waits in the password field. */
  focusPassword = false,
): string {
  const userButtons = users.length
    ? `<form method="post" action="${action}" data-sign-in aria-label="Sign in as a test user">${hidden}<ul class="users">${users
        .filter((u) => !u.hasPassword)
        .map(
          (u) =>
            `<li><button type="submit" name="username" value="${escapeHtml(u.username)}">Sign in as ${escapeHtml(u.username)}${u.name ? `<small>${escapeHtml(u.name)}</small>` : ''}</button></li>`,
        )
        .join('')}</ul></form>`
    : '<p>No test users yet. Add one in the IDP Sandbox app (Users) or with the admin API.</p>';
  const withPassword = users.filter((u) => u.hasPassword);
  return `${userButtons}
${withPassword.length ? `<p class="sub">Users with a password: ${withPassword.map((u) => `<code>${escapeHtml(u.username)}</code>`).join(', ')}</p>` : ''}
<h2>Username and password</h2>
<form method="post" action="${action}" data-sign-in aria-label="Sign in with username and password">${hidden}
<label for="username">Username</label><input id="username" name="username" type="text" autocomplete="username" value="${escapeHtml(loginHint ?? '')}" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password"${focusPassword ? ' autofocus' : ''}>
<button class="primary" type="submit">Sign in</button></form>`;
}

function errorBox(error: string | null): string {
  return error ? `<div class="error" role="alert">${escapeHtml(error)}</div>` : '';
}

/**
 * The login page: one-click buttons for test users and a plain username/password form. They work
 * without script; the page's one script only adds the browser secret to what they post.
 */
export function loginPage(input: LoginPageInput): string {
  const hidden = `<input type="hidden" name="interaction" value="${escapeHtml(input.interactionId)}">${SECRET_FIELD}`;
  return layout(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(input.clientName)}</h1><p class="sub">IDP Sandbox test login</p>
${errorBox(input.error)}
${signInForms('login', hidden, input.users, input.loginHint, input.error !== null && !!input.loginHint)}`,
    true,
  );
}

/** RFC 8628 §3.3: where the user types the code their device shows (a GET form: it changes nothing). */
export function deviceCodePage(typed: string, error: string | null): string {
  return layout(
    'Connect a device',
    `<h1>Connect a device</h1><p class="sub">Enter the code shown on your device.</p>
${errorBox(error)}
<form method="get" action="device" aria-label="Enter the device code">
<label for="user_code">Code</label><input id="user_code" name="user_code" type="text" autocomplete="off" autocapitalize="characters" spellcheck="false" value="${escapeHtml(typed)}" required>
<button class="primary" type="submit">Continue</button></form>`,
  );
}

interface DeviceConfirmInput {
  interactionId: string;
  clientName: string;
  userCode: string;
  scope: string;
  users: LoginPageUser[];
  error: string | null;
}

/**
 * The device's request, named with its client and scope so the user can tell it is theirs (RFC 8628
 * §5.4): signing in approves it, the Deny button refuses it. Both post to /device, bound to this browser.
 */
export function deviceConfirmPage(input: DeviceConfirmInput): string {
  const interaction = `<input type="hidden" name="interaction" value="${escapeHtml(input.interactionId)}">`;
  const hidden = `${interaction}<input type="hidden" name="decision" value="approve">${SECRET_FIELD}`;
  return layout(
    'Approve device',
    `<h1>Connect ${escapeHtml(input.clientName)}?</h1><p class="sub">Code <code>${escapeHtml(input.userCode)}</code> asks for: <code>${escapeHtml(input.scope || '(no scope)')}</code>. Sign in to approve it, only if your device shows this code.</p>
${errorBox(input.error)}
${signInForms('device', hidden, input.users, null)}
<form method="post" action="device" aria-label="Deny the device">${interaction}<input type="hidden" name="decision" value="deny">
<button class="primary" type="submit">Deny</button></form>`,
    true,
  );
}

export function deviceDonePage(approved: boolean, clientName: string): string {
  const title = approved ? 'Device connected' : 'Device denied';
  const text = approved
    ? `${escapeHtml(clientName)} is signed in. You can return to your device and close this tab.`
    : `${escapeHtml(clientName)} was not allowed. You can close this tab.`;
  return layout(title, `<h1>${title}</h1><p class="sub">${text}</p>`);
}

/**
 * Shown instead of an immediate redirect when a session would be reused: its script posts the
 * browser secret, and only then is a code issued. Without script the post carries no secret, so the
 * provider answers with the login page (or login_required for prompt=none).
 */
export function resumePage(interactionId: string, clientName: string): string {
  return layout(
    'Signing in',
    `<h1>Signing in to ${escapeHtml(clientName)}…</h1>
<form id="resume" method="post" action="resume" aria-label="Continue signing in"><input type="hidden" name="interaction" value="${escapeHtml(interactionId)}">${SECRET_FIELD}
<noscript><p class="sub">Script is turned off, so this browser's session cannot be reused.</p><button class="primary" type="submit">Continue</button></noscript></form>`,
    true,
  );
}

/** RP-Initiated Logout without a valid id_token_hint: the user confirms, so another site cannot. */
export function logoutConfirmPage(requestId: string, clientName: string | null): string {
  return layout(
    'Sign out',
    `<h1>Sign out of IDP Sandbox?</h1><p class="sub">${clientName ? `${escapeHtml(clientName)} asks to end your IDP Sandbox session.` : 'A page asks to end your IDP Sandbox session.'} Its tokens stop working. Close this tab to stay signed in.</p>
<form method="post" action="logout/confirm" aria-label="Confirm sign-out"><input type="hidden" name="logout_request" value="${escapeHtml(requestId)}">
<button class="primary" type="submit">Sign out</button></form>`,
  );
}

export function signedOutPage(): string {
  return layout(
    'Signed out',
    '<h1>Signed out</h1><p class="sub">Your IDP Sandbox session has ended. You can close this tab.</p>',
  );
}
