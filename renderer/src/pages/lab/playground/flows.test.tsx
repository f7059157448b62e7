import { describe, expect, it } from 'vitest';
import { type Client, JWT_BEARER_GRANT } from '../../../../../shared/schemas';
import { clientsFor, type FlowForm, flowInput, missingInput, parseParams, trustedIssuers } from './flows';

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

describe('the authorization code flow form', () => {
  it('reads override parameters as name=value lines, an empty value removing the parameter', () => {
    expect(parseParams('scope=openid profile\n\n  prompt = login \ncode_verifier=')).toEqual({
      scope: 'openid profile',
      prompt: 'login',
      code_verifier: '',
    });
    expect(parseParams('redirect_uri=http://x/cb?a=b')).toEqual({ redirect_uri: 'http://x/cb?a=b' });
    expect(parseParams('no equals sign')).toBeNull();
    expect(parseParams('=value')).toBeNull();
  });

  it('sends the scenario and the parameters with the run, and refuses lines it cannot read', () => {
    const code = form({ flow: 'authorization_code', client: web, scenario: 'expired_code' });
    expect(flowInput({ ...code, authorizeParams: 'scope=openid', tokenParams: '' })).toEqual({
      flow: 'authorization_code',
      client_id: 'web',
      username: 'alice',
      scenario: 'expired_code',
      authorize_params: { scope: 'openid' },
    });
    expect(missingInput({ ...code, tokenParams: 'oops' })).toBe('parameters as name=value, one a line,');
    // Other flows never send them.
    expect(flowInput(form({ scenario: 'reused_code', authorizeParams: 'a=b' }))).not.toHaveProperty(
      'scenario',
    );
  });
});
