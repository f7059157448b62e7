import type { InteropProvider } from '../../provider';

/** A token endpoint request as a client makes it (client_secret_basic); throws on an error answer. */
export async function requestTokens(
  provider: InteropProvider,
  client: { client_id: string; client_secret: string },
  params: Record<string, string>,
): Promise<{ access_token: string; id_token?: string }> {
  const response = await fetch(`${provider.issuer}/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(client.client_id)}:${encodeURIComponent(client.client_secret)}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(params),
  });
  const body = (await response.json()) as { access_token: string; id_token?: string };
  if (!response.ok) throw new Error(`/token answered ${response.status}: ${JSON.stringify(body)}`);
  return body;
}

/** A token minted by the admin API (tokens.mint), e.g. with a lifetime of one second; exp in epoch seconds. */
export async function mintToken(
  provider: InteropProvider,
  input: Record<string, unknown>,
): Promise<{ value: string; exp: number }> {
  const { value, token } = await provider.admin<{ value: string; token: { expires_at: string } }>(
    'tokens.mint',
    input,
  );
  return { value, exp: Math.ceil(Date.parse(token.expires_at) / 1000) };
}

/** The kid in a JWT's header. */
export function kidOf(jwt: string): string {
  const [header] = jwt.split('.');
  return (JSON.parse(Buffer.from(header ?? '', 'base64url').toString()) as { kid: string }).kid;
}

/** Resolves once every verifier's clock is past `exp` (second-granular, so one second more). */
export async function waitPast(exp: number): Promise<void> {
  const wait = (exp + 1) * 1000 - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
}

/** A password grant sign-in (resource owner password credentials) that must return an ID token. */
export async function passwordSignIn(
  provider: InteropProvider,
  client: { client_id: string; client_secret: string },
  user: { username: string; password: string },
  scope: string,
): Promise<string> {
  const { id_token } = await requestTokens(provider, client, { grant_type: 'password', ...user, scope });
  if (!id_token) throw new Error(`the password grant of ${client.client_id} returned no ID token`);
  return id_token;
}
