import * as oauth from 'oauth4webapi';
import * as oidc from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminError } from '../../shared/errors';
import { engine, issuer, startFileEngine } from '../helpers/file-engine';
import { jwtPayload } from '../helpers/oauth-http';

/**
 * RFC 9728 protected resource metadata for the resources the `protected_resources` setting declares,
 * read with oauth4webapi's resource discovery (which builds the well-known URL from the resource
 * identifier and checks the document's `resource`), then the whole chain an MCP client walks:
 * resource metadata → authorization server metadata → dynamic registration → a token for the resource.
 */

startFileEngine({});

const insecure = { [oauth.allowInsecureRequests]: true };

afterEach(async () => {
  await engine.call('settings.update', { protected_resources: [], dynamic_registration: false });
});

async function discoverResource(resource: string) {
  const url = new URL(resource);
  const response = await oauth.resourceDiscoveryRequest(url, insecure);
  return oauth.processResourceDiscoveryResponse(url, response);
}

describe('protected resource metadata (RFC 9728)', () => {
  it('serves a declared resource on this origin where RFC 9728 section 3.1 puts it', async () => {
    const resource = `${issuer}/mcp`;
    await engine.call('settings.update', {
      protected_resources: [
        { resource, resource_name: 'Test MCP server', scopes_supported: ['mcp:tools', 'mcp:resources'] },
      ],
    });
    const metadata = await discoverResource(resource);
    expect(metadata).toEqual({
      resource,
      authorization_servers: [issuer],
      bearer_methods_supported: ['header'],
      scopes_supported: ['mcp:tools', 'mcp:resources'],
      resource_name: 'Test MCP server',
    });
  });

  it('serves a resource on another host at its path here (for resource_metadata or a proxy)', async () => {
    await engine.call('settings.update', {
      protected_resources: [
        {
          resource: 'http://localhost:3000/api/v1/',
          bearer_methods_supported: ['header', 'body'],
          resource_documentation: 'https://docs.example.com/api',
        },
        { resource: 'https://api.example.com' },
      ],
    });
    const nested = await fetch(`${issuer}/.well-known/oauth-protected-resource/api/v1/`, {
      headers: { origin: 'http://localhost:6274' },
    });
    expect(nested.status).toBe(200);
    // Any origin may read it, as discovery: an MCP client in a browser does.
    expect(nested.headers.get('access-control-allow-origin')).toBe('*');
    expect(await nested.json()).toEqual({
      resource: 'http://localhost:3000/api/v1/',
      authorization_servers: [issuer],
      bearer_methods_supported: ['header', 'body'],
      resource_documentation: 'https://docs.example.com/api',
    });
    // A resource identifier without a path has its metadata at the well-known URI itself.
    const root = await fetch(`${issuer}/.well-known/oauth-protected-resource`);
    expect(((await root.json()) as { resource: string }).resource).toBe('https://api.example.com');
  });

  it('answers 404 with what to do for a path no resource declares', async () => {
    const response = await fetch(`${issuer}/.well-known/oauth-protected-resource/unknown`);
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: string; error_description: string };
    expect(body.error).toBe('not_found');
    expect(body.error_description).toContain('protected_resources');
  });

  it.each([
    [
      [{ resource: 'http://a.example/mcp' }, { resource: 'http://b.example/mcp' }],
      /same path, so their metadata would be served at the same \/\.well-known\/oauth-protected-resource\/mcp/,
    ],
    [[{ resource: 'http://a.example/mcp?tenant=1' }], /without a query or fragment/],
    [[{ resource: 'urn:example:api' }], /http\(s\) URL/],
    [[{ resource: 'http://a.example/mcp', scopes_supported: ['two words'] }], /one scope token/],
  ])('refuses a bad declaration, saving nothing (%j)', async (resources, message) => {
    const before = await engine.call('settings.get', {});
    const error = await engine.call('settings.update', { protected_resources: resources }).catch((e) => e);
    expect(error).toBeInstanceOf(AdminError);
    expect((error as AdminError).message).toMatch(message);
    expect(await engine.call('settings.get', {})).toEqual(before);
  });

  it('gives an MCP client the whole chain: resource → authorization server → registration → token', async () => {
    const resource = 'http://localhost:3000/mcp';
    await engine.call('settings.update', {
      dynamic_registration: true,
      protected_resources: [{ resource, scopes_supported: ['mcp:tools'] }],
    });
    const metadata = (await (await fetch(`${issuer}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      authorization_servers: string[];
      scopes_supported: string[];
    };
    const [authorizationServer] = metadata.authorization_servers;
    const config = await oidc.dynamicClientRegistration(
      new URL(authorizationServer as string),
      { grant_types: ['client_credentials'], token_endpoint_auth_method: 'client_secret_post' },
      undefined,
      { execute: [oidc.allowInsecureRequests] },
    );
    // Registered without a scope: it may ask for the declared resources' scopes.
    expect(config.clientMetadata().scope).toContain('mcp:tools');
    const tokens = await oidc.clientCredentialsGrant(config, {
      scope: metadata.scopes_supported.join(' '),
      resource,
    });
    expect(jwtPayload(tokens.access_token)).toMatchObject({ aud: resource, scope: 'mcp:tools', iss: issuer });
  });
});
