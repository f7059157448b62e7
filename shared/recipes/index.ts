import type { Client } from '../schemas';
import { aspnetCoreIntrospectionRecipe, aspnetCoreJwtRecipe } from './aspnet-core';
import { authjsRecipe } from './authjs';
import { authlibRecipe } from './authlib';
import { expressJwtRecipe } from './express-jwt';
import { goOidcRecipe } from './go-oidc';
import { modAuthOpenidcRecipe, modAuthOpenidcResourceServerRecipe } from './mod-auth-openidc';
import { oauth2ProxyRecipe } from './oauth2-proxy';
import { oidcClientTsRecipe } from './oidc-client-ts';
import { openidClientRecipe } from './openid-client';
import { passportRecipe } from './passport';
import { pyjwtRecipe } from './pyjwt';
import { springBootJwtRecipe, springBootOpaqueRecipe } from './spring-boot';
import type { Recipe, RecipeClient, RecipeKind } from './types';

export type { Recipe, RecipeClient, RecipeFile, RecipeInput, RecipeKind } from './types';

/** Every recipe, grouped by kind in the order a user meets them: browser, server app, gateway, API. */
export const RECIPES: readonly Recipe[] = [
  oidcClientTsRecipe,
  openidClientRecipe,
  passportRecipe,
  authjsRecipe,
  modAuthOpenidcRecipe,
  oauth2ProxyRecipe,
  expressJwtRecipe,
  pyjwtRecipe,
  authlibRecipe,
  goOidcRecipe,
  modAuthOpenidcResourceServerRecipe,
  springBootJwtRecipe,
  springBootOpaqueRecipe,
  aspnetCoreJwtRecipe,
  aspnetCoreIntrospectionRecipe,
];

export const RECIPE_KIND_LABELS: Record<RecipeKind, string> = {
  'browser-app': 'Browser app (SPA)',
  'web-app': 'Server-side web app',
  gateway: 'Gateway / reverse proxy',
  'resource-server': 'API (resource server)',
};

const KIND_ORDER: readonly RecipeKind[] = ['browser-app', 'web-app', 'gateway', 'resource-server'];

/** What picking recipes needs to know of a client beyond what rendering them does. */
export type RecipeSubject = RecipeClient & { grant_types: readonly string[] };

/**
 * The recipes that fit a client, by what the client is for:
 * - signs users in (authorization_code): a public client gets the browser-app recipes, a confidential
 *   one the server-side web-app and gateway recipes;
 * - its access tokens are sent to APIs (client_credentials, or an audience set): the resource-server
 *   recipes that can read its access token format (JWT or reference).
 * A client that fits none of these (say, password grant only) gets every recipe.
 * Kinds come in the order above; within one, recipes made for the client's token format come first.
 */
export function recipesFor(client: RecipeSubject): Recipe[] {
  const signsUsersIn = client.grant_types.includes('authorization_code');
  const callsApis = client.grant_types.includes('client_credentials') || client.audience.length > 0;
  const isPublic = client.token_endpoint_auth_method === 'none';
  const fits = (recipe: Recipe): boolean => {
    switch (recipe.kind) {
      case 'browser-app':
        return signsUsersIn && isPublic;
      case 'web-app':
      case 'gateway':
        return signsUsersIn && !isPublic;
      case 'resource-server':
        return (
          callsApis && (recipe.accessTokenFormat ?? client.access_token_format) === client.access_token_format
        );
    }
  };
  // Within a kind, a recipe made for the client's token format comes before one that takes either.
  const madeForFormat = (recipe: Recipe) => (recipe.accessTokenFormat === client.access_token_format ? 0 : 1);
  const fitting = RECIPES.filter(fits).sort(
    (a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) || madeForFormat(a) - madeForFormat(b),
  );
  return fitting.length > 0 ? fitting : [...RECIPES];
}

/** A client as the admin API returns it, as recipes take it: a public client never carries a secret. */
export function toRecipeClient(client: Client): RecipeSubject {
  return {
    client_id: client.client_id,
    client_secret: client.token_endpoint_auth_method === 'none' ? null : client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris,
    scope: client.scope,
    audience: client.audience,
    token_endpoint_auth_method: client.token_endpoint_auth_method,
    access_token_format: client.access_token_format,
    grant_types: client.grant_types,
  };
}
