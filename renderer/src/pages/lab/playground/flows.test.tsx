import { describe, expect, it } from 'vitest';
import { type Client, JWT_BEARER_GRANT } from '../../../../../shared/schemas';
import { clientsFor, type FlowForm, flowInput, missingInput, trustedIssuers } from './flows';

const partner = {
  client_id: 'partner',
  grant_types: [JWT_BEARER_GRANT],
  token_endpoint_auth_method: 'client_secret_basic',
  jwt_bearer: {
    trusted_issuers: [
      { issuer: 'https://idp.partner.example', jwks: { keys: [] }, subject_match: 'sub_then_username' },
      { issuer: 'https://hr.example', jwks: { keys: [] }, subject_match: 'username' },
    ],
  },
} as unknown as Client;
const web = { client_id: 'web', grant_types: ['authorization_code'] } as unknown as Client;

const form = (fields: Partial<FlowForm>): FlowForm => ({
  flow: 'jwt_bearer',
  client: partner,
  user: 'alice',
  scope: '',
  token: '',
  actor: undefined,
  mode: 'delegation',
  clientKey: '',
  actorKey: '',
  issuer: 'https://hr.example',
  issuerKey: '',
  ...fields,
});

describe('the JWT bearer flow form', () => {
  it('offers the clients allowed the grant and their trusted issuers, the first as the default', () => {
    expect(clientsFor('jwt_bearer', [web, partner])).toEqual([partner]);
    expect(trustedIssuers(partner).map((t) => t.issuer)).toEqual([
      'https://idp.partner.example',
      'https://hr.example',
    ]);
    expect(trustedIssuers(web)).toEqual([]);
  });

  it('asks for the issuer key before it runs, and sends it with the chosen issuer', () => {
    expect(missingInput(form({ issuerKey: '  ' }))).toBe('the private key of issuer https://hr.example');
    expect(missingInput(form({ issuer: null }))).toBe('a trusted issuer');
    expect(missingInput(form({ user: null }))).toBe('a user');
    const ready = form({ issuerKey: ' {"kty":"EC","d":"…"}\n', scope: 'openid' });
    expect(missingInput(ready)).toBeNull();
    expect(flowInput(ready)).toEqual({
      flow: 'jwt_bearer',
      client_id: 'partner',
      username: 'alice',
      scope: 'openid',
      assertion_issuer: 'https://hr.example',
      assertion_private_jwk: '{"kty":"EC","d":"…"}',
    });
    // Other flows never send the issuer fields, even when they were filled in before.
    expect(flowInput(form({ flow: 'client_credentials', issuerKey: '{}' }))).not.toHaveProperty(
      'assertion_private_jwk',
    );
  });
});
