import { csharpQuote as quoted } from '../quote';
import type { Recipe, RecipeInput } from './types';
import { expectedAudience, formatMismatch, introspectionEndpoint, isPublicClient } from './values';

const plainHttp = (issuer: string) => issuer.startsWith('http:');

function jwtBearer({ issuer, client }: RecipeInput): string {
  const mismatch = formatMismatch(client, 'jwt', '//');
  const httpsLine = plainHttp(issuer)
    ? `
        // The sandbox serves plain http; JwtBearer refuses an http Authority unless told (development only).
        options.RequireHttpsMetadata = false;`
    : '';
  return `// dotnet add package Microsoft.AspNetCore.Authentication.JwtBearer
${mismatch}using Microsoft.AspNetCore.Authentication.JwtBearer;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme)
    .AddJwtBearer(options =>
    {
        // Discovery and the JWKS (rotated keys included) are read from here.
        options.Authority = ${quoted(issuer)};
        // The aud of ${client.client_id}'s access tokens (its audience, else its client_id).
        options.Audience = ${quoted(expectedAudience(client))};${httpsLine}
        // Keeps claim names as the token has them ("sub", "scope", "roles") instead of mapping them to
        // long URIs.
        options.MapInboundClaims = false;
    });
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/", (System.Security.Claims.ClaimsPrincipal user) => $"Hello {user.FindFirst("sub")?.Value}")
    .RequireAuthorization();

app.Run();
`;
}

function introspection({ issuer, client }: RecipeInput): string {
  const publicClient = isPublicClient(client);
  const style =
    client.token_endpoint_auth_method === 'client_secret_basic'
      ? `
        // The sandbox accepts only the method the client is registered with: HTTP Basic here (the
        // handler's default is the request body, which is client_secret_post).
        options.ClientCredentialStyle = ClientCredentialStyle.AuthorizationHeader;`
      : '';
  const publicNote = publicClient
    ? `// ${client.client_id} is a public client, and only a confidential client may call introspection: put the
// id and secret of a confidential client of the sandbox below. It sees only tokens with its client_id in their
// aud (add it to this client's audience), unless it has introspect_any_token (a gateway).\n`
    : '';
  return `// For reference tokens, which only the provider can read: ask its introspection endpoint.
// dotnet add package Duende.AspNetCore.Authentication.OAuth2Introspection
${formatMismatch(client, 'reference', '//')}${publicNote}using Duende.AspNetCore.Authentication.OAuth2Introspection;
${style ? 'using Duende.IdentityModel.Client;\n' : ''}
var builder = WebApplication.CreateBuilder(args);

builder.Services.AddAuthentication(OAuth2IntrospectionDefaults.AuthenticationScheme)
    .AddOAuth2Introspection(options =>
    {
        // Given directly rather than discovered from the Authority, so plain http needs no policy change.
        options.IntrospectionEndpoint = ${quoted(introspectionEndpoint(issuer))};
        options.ClientId = ${quoted(publicClient ? 'a-confidential-client' : client.client_id)};
        options.ClientSecret = ${quoted(publicClient ? 'its-secret' : (client.client_secret ?? ''))};${style}
        // Without caching (the default) every request asks, so a revoked token is refused at once.
    });
builder.Services.AddAuthorization();

var app = builder.Build();
app.UseAuthentication();
app.UseAuthorization();

app.MapGet("/", (System.Security.Claims.ClaimsPrincipal user) => $"Hello {user.FindFirst("sub")?.Value}")
    .RequireAuthorization();

app.Run();
`;
}

export const aspnetCoreJwtRecipe: Recipe = {
  id: 'aspnet-core-jwt',
  title: 'ASP.NET Core (JwtBearer)',
  kind: 'resource-server',
  summary: 'An ASP.NET Core API verifying JWT access tokens locally against the JWKS.',
  exercisedBy: null,
  accessTokenFormat: 'jwt',
  render(input) {
    return [{ name: 'Program.cs', language: 'csharp', content: jwtBearer(input) }];
  },
};

export const aspnetCoreIntrospectionRecipe: Recipe = {
  id: 'aspnet-core-introspection',
  title: 'ASP.NET Core (reference tokens, introspection)',
  kind: 'resource-server',
  summary: 'An ASP.NET Core API asking the introspection endpoint about each token: for reference tokens.',
  exercisedBy: null,
  accessTokenFormat: 'reference',
  render(input) {
    return [{ name: 'Program.cs', language: 'csharp', content: introspection(input) }];
  },
};
