/**
 * Copyable curl commands for a token: introspection, userinfo, revocation, a call to an API, and a
 * refresh for refresh tokens. Values are single-quoted for POSIX shells; client authentication follows
 * how the client is registered (RFC 6749 §2.3.1).
 */
import { shellQuote } from '../../../../../shared/quote';
import type { AuthMethod, TokenKind } from '../../../../../shared/schemas';

export { shellQuote };

export interface CurlClient {
  client_id: string;
  client_secret: string | null;
  token_endpoint_auth_method: AuthMethod;
}

export interface CurlInput {
  issuer: string;
  client: CurlClient;
  token: string;
  kind: TokenKind;
  /** The API URL to show a call to (access tokens). */
  apiUrl: string;
  /** RFC 9449: a DPoP-bound access token goes with the DPoP scheme and a proof; Bearer otherwise. */
  tokenType?: 'Bearer' | 'DPoP';
}

type CurlId = 'introspect' | 'userinfo' | 'revoke' | 'api' | 'refresh' | 'jwks';

interface CurlCommand {
  id: CurlId;
  title: string;
  command: string;
  /** What to expect, or why a command is what it is. */
  note: string;
}

/** RFC 6749 §2.3.1: the id and secret are form-encoded before they go into Basic. */
function formEncode(value: string): string {
  return encodeURIComponent(value).replace(/%20/g, '+');
}

function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** The curl arguments that authenticate the client, as it is registered. */
export function clientAuthArgs(client: CurlClient): string[] {
  const secret = client.client_secret ?? '';
  switch (client.token_endpoint_auth_method) {
    case 'client_secret_basic': {
      const id = formEncode(client.client_id);
      const pw = formEncode(secret);
      // curl -u does not form-encode; say it plainly when nothing needs encoding.
      if (id === client.client_id && pw === secret && !id.includes(':'))
        return [`-u ${shellQuote(`${id}:${pw}`)}`];
      return [`-H ${shellQuote(`Authorization: Basic ${base64(`${id}:${pw}`)}`)}`];
    }
    case 'client_secret_post':
      return [
        `--data-urlencode ${shellQuote(`client_id=${client.client_id}`)}`,
        `--data-urlencode ${shellQuote(`client_secret=${secret}`)}`,
      ];
    default:
      return [`--data-urlencode ${shellQuote(`client_id=${client.client_id}`)}`];
  }
}

function command(parts: string[]): string {
  return parts.join(' \\\n  ');
}

/** A DPoP proof is made for one request (htm, htu, ath and a fresh jti): the commands leave a place for it. */
const DPOP_NOTE =
  'DPoP-bound: put a new proof of its key for this URL and method in DPOP_PROOF for each call (RFC 9449 §7); without one it gets 401.';

export function buildCurlCommands({
  issuer,
  client,
  token,
  kind,
  apiUrl,
  tokenType,
}: CurlInput): CurlCommand[] {
  const issuerBase = issuer.replace(/\/+$/, '');
  // The issuer is the operator's choice of URL: quoted like every other value.
  const endpoint = (path: string) => shellQuote(`${issuerBase}${path}`);
  const tokenArg = (name: string) => `--data-urlencode ${shellQuote(`${name}=${token}`)}`;
  const dpop = tokenType === 'DPoP';
  // Double quotes around the proof: the shell fills it in.
  const authorization = dpop
    ? [`-H ${shellQuote(`Authorization: DPoP ${token}`)}`, '-H "DPoP: $DPOP_PROOF"']
    : [`-H ${shellQuote(`Authorization: Bearer ${token}`)}`];
  const confidential = client.token_endpoint_auth_method !== 'none';
  const commands: CurlCommand[] = [];

  const introspectAuth = confidential ? clientAuthArgs(client) : ['-u "$RS_CLIENT_ID:$RS_CLIENT_SECRET"'];
  commands.push({
    id: 'introspect',
    title: 'Introspect it (RFC 7662)',
    command: command(['curl -s -X POST', ...introspectAuth, tokenArg('token'), endpoint('/introspect')]),
    note:
      kind === 'id'
        ? 'ID tokens are not introspectable: the answer is {"active":false}.'
        : confidential
          ? `Answers {"active": true, …} while the token is valid; authenticated as ${client.client_id}.`
          : `${client.client_id} is a public client and may not introspect: set RS_CLIENT_ID and RS_CLIENT_SECRET to a confidential client (your API's) whose client_id is in the token's aud, or one with introspect_any_token.`,
  });
  if (kind === 'access') {
    commands.push({
      id: 'userinfo',
      title: 'Call userinfo (OIDC Core §5.3)',
      command: command(['curl -s', ...authorization, endpoint('/userinfo')]),
      note: dpop
        ? DPOP_NOTE
        : 'Works for an access token about a user with the openid scope; a machine token gets 401.',
    });
  }
  if (kind !== 'id') {
    commands.push({
      id: 'revoke',
      title: 'Revoke it (RFC 7009)',
      command: command([
        'curl -s -i -X POST',
        ...clientAuthArgs(client),
        tokenArg('token'),
        `--data-urlencode token_type_hint=${kind === 'refresh' ? 'refresh_token' : 'access_token'}`,
        endpoint('/revoke'),
      ]),
      note:
        kind === 'refresh'
          ? 'Answers 200; revoking a refresh token also revokes the access tokens of its grant.'
          : 'Answers 200 (even for unknown tokens); introspection says inactive from then on.',
    });
  }
  if (kind === 'access') {
    commands.push({
      id: 'api',
      title: 'Call an API with it (RFC 6750)',
      command: command(['curl -s', ...authorization, shellQuote(apiUrl)]),
      note: dpop
        ? `The API checks the token and its proof. ${DPOP_NOTE}`
        : 'The API checks the signature (or introspects a reference token), iss, aud, exp and scope.',
    });
  }
  if (kind === 'refresh') {
    commands.push({
      id: 'refresh',
      title: 'Use it: refresh (RFC 6749 §6)',
      command: command([
        'curl -s -X POST',
        ...clientAuthArgs(client),
        '-d grant_type=refresh_token',
        tokenArg('refresh_token'),
        endpoint('/token'),
      ]),
      note: 'Rotates it: a new refresh token comes back, and using this one again revokes the whole family.',
    });
  }
  if (kind !== 'refresh' && token.split('.').length === 3) {
    commands.push({
      id: 'jwks',
      title: 'Fetch the keys that verify it',
      command: command(['curl -s', endpoint('/jwks')]),
      note: 'A service verifies JWTs locally with these keys (pick the one whose kid is in the token header).',
    });
  }
  return commands;
}
