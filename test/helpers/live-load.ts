import type { ClientInput } from '../../shared/schemas';

/** A client that gets reference tokens by client_credentials: two events a token (token.issued, request). */
export const BURST_CLIENT: ClientInput = {
  client_id: 'burst',
  client_secret: 'burst-secret',
  grant_types: ['client_credentials'],
  token_endpoint_auth_method: 'client_secret_post',
  access_token_format: 'reference',
};

/**
 * Issues `count` tokens to BURST_CLIENT over HTTP, `concurrency` requests at a time: as fast as the
 * engine answers, so its live stream gets far more events a batch than a small bound lets through.
 */
export async function issueTokens(issuer: string, count: number, concurrency = 16): Promise<void> {
  const discovery = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as {
    token_endpoint: string;
  };
  const body = `grant_type=client_credentials&client_id=${BURST_CLIENT.client_id}&client_secret=${BURST_CLIENT.client_secret}`;
  let started = 0;
  const worker = async () => {
    while (started < count) {
      started += 1;
      const response = await fetch(discovery.token_endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      if (!response.ok)
        throw new Error(`the token endpoint answered ${response.status}: ${await response.text()}`);
      await response.arrayBuffer();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
