import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  RECIPE_KIND_LABELS,
  RECIPES,
  type Recipe,
  type RecipeSubject,
  recipesFor,
  toRecipeClient,
} from '../../shared/recipes';
import type { Client } from '../../shared/schemas';
import { ROOT } from '../helpers/engine';

const DOC = path.join(ROOT, 'docs', 'RECIPES.md');
const ISSUER = 'http://127.0.0.1:9400';

const base = {
  post_logout_redirect_uris: [] as string[],
  audience: [] as string[],
  access_token_format: 'jwt' as const,
};

/** The example clients docs/RECIPES.md is rendered for: one of each kind a recipe serves. */
const EXAMPLES: RecipeSubject[] = [
  {
    ...base,
    client_id: 'spa',
    client_secret: null,
    token_endpoint_auth_method: 'none',
    redirect_uris: ['http://127.0.0.1:5173/callback'],
    post_logout_redirect_uris: ['http://127.0.0.1:5173/'],
    scope: 'openid profile email offline_access',
    grant_types: ['authorization_code', 'refresh_token'],
  },
  {
    ...base,
    client_id: 'web',
    client_secret: 'web-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [
      'http://127.0.0.1:3000/callback',
      'http://127.0.0.1:3000/api/auth/callback/idp-sandbox',
      'http://127.0.0.1:4180/oauth2/callback',
    ],
    post_logout_redirect_uris: ['http://127.0.0.1:3000/'],
    scope: 'openid profile email offline_access',
    grant_types: ['authorization_code', 'refresh_token'],
  },
  {
    ...base,
    client_id: 'orders-service',
    client_secret: 'orders-service-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [],
    scope: 'orders:read',
    audience: ['orders-api'],
    grant_types: ['client_credentials'],
  },
  {
    ...base,
    client_id: 'billing-service',
    client_secret: 'billing-service-secret',
    token_endpoint_auth_method: 'client_secret_basic',
    redirect_uris: [],
    scope: 'billing:read',
    audience: ['billing-api'],
    access_token_format: 'reference',
    grant_types: ['client_credentials'],
  },
];

function exampleFor(recipe: Recipe): RecipeSubject {
  const example = EXAMPLES.find((client) => recipesFor(client).includes(recipe));
  if (!example) throw new Error(`No example client fits the ${recipe.id} recipe`);
  return example;
}

function describeExample(client: RecipeSubject): string {
  const auth = client.token_endpoint_auth_method === 'none' ? 'public' : client.token_endpoint_auth_method;
  const audience = client.audience.length ? `, audience ${client.audience.join(', ')}` : '';
  return `\`${client.client_id}\` (${auth}, ${client.grant_types.join(' + ')}, ${client.access_token_format} access tokens${audience})`;
}

const FENCE: Record<string, string> = { apache: 'apache', ini: 'ini', shell: 'sh' };

function renderDoc(): string {
  const out: string[] = [
    '# Recipes',
    '',
    '<!-- Generated from shared/recipes/ by test/unit/recipes.test.ts: do not edit by hand. -->',
    '',
    "Ready configurations for the stacks that use the sandbox. In the app, a client's drawer (**Clients** →",
    "a client → **Recipes**) renders them with that client's own values (id, secret, redirect URIs,",
    `audience, token format). Here they are rendered for the issuer \`${ISSUER}\` and example clients.`,
    '',
    'A recipe marked *verified by the interop suite* is the very configuration that suite renders and runs',
    'against the real client (`npm run test:interop`), so it cannot drift from what works. The others',
    "follow their projects' documentation but are not exercised here.",
    '',
    'To regenerate this file after changing a recipe:',
    '`UPDATE_RECIPES=1 npx vitest run --project unit test/unit/recipes.test.ts`',
    '',
    '| Recipe | For | Verified |',
    '| --- | --- | --- |',
  ];
  for (const recipe of RECIPES) {
    const verified = recipe.exercisedBy ? `interop suite (\`${recipe.exercisedBy}\`)` : 'not exercised here';
    out.push(`| [${recipe.title}](#${recipe.id}) | ${RECIPE_KIND_LABELS[recipe.kind]} | ${verified} |`);
  }
  for (const recipe of RECIPES) {
    const example = exampleFor(recipe);
    out.push('', `<a id="${recipe.id}"></a>`, `## ${recipe.title}`, '', recipe.summary, '');
    out.push(
      recipe.exercisedBy
        ? `**Verified by the interop suite**: \`${recipe.exercisedBy}\` renders this recipe and runs it with the real client.`
        : "**Not exercised here**: written from the project's documentation, not run by the interop suite.",
      '',
      `Rendered for the example client ${describeExample(example)}.`,
    );
    for (const file of recipe.render({ issuer: ISSUER, client: example })) {
      const fence = file.content.includes('```') ? '````' : '```';
      out.push('', `### \`${file.name}\``, '', `${fence}${FENCE[file.language] ?? file.language}`);
      out.push(file.content.replace(/\n$/, ''), fence);
    }
  }
  return `${out.join('\n')}\n`;
}

describe('recipes', () => {
  it('docs/RECIPES.md is the registry rendered (UPDATE_RECIPES=1 regenerates it)', () => {
    const rendered = renderDoc();
    if (process.env.UPDATE_RECIPES === '1') fs.writeFileSync(DOC, rendered);
    const current = fs.existsSync(DOC) ? fs.readFileSync(DOC, 'utf8') : '';
    expect(
      current,
      'docs/RECIPES.md is out of date: run UPDATE_RECIPES=1 npx vitest run --project unit test/unit/recipes.test.ts',
    ).toBe(rendered);
  });

  it('have unique ids and name an interop test that exists when they say they are exercised', () => {
    expect(new Set(RECIPES.map((recipe) => recipe.id)).size).toBe(RECIPES.length);
    for (const recipe of RECIPES.filter((r) => r.exercisedBy !== null)) {
      expect(fs.existsSync(path.join(ROOT, recipe.exercisedBy as string)), recipe.exercisedBy as string).toBe(
        true,
      );
    }
  });

  it('render the issuer and the client id for every client they fit', () => {
    for (const client of EXAMPLES) {
      for (const recipe of recipesFor(client)) {
        const text = recipe
          .render({ issuer: ISSUER, client })
          .map((file) => file.content)
          .join('\n');
        expect(text, `${recipe.id} for ${client.client_id}`).toContain(ISSUER);
        expect(text, `${recipe.id} for ${client.client_id}`).toContain(client.client_id);
      }
    }
  });

  it("put a confidential client's secret where the stack needs it", () => {
    const web = EXAMPLES[1] as RecipeSubject;
    for (const recipe of recipesFor(web)) {
      const text = recipe
        .render({ issuer: ISSUER, client: web })
        .map((file) => file.content)
        .join('\n');
      expect(text, recipe.id).toContain('web-secret');
    }
  });

  it('load the private key of a private_key_jwt client, and treat it as confidential', () => {
    const keyed: RecipeSubject = {
      ...(EXAMPLES[1] as RecipeSubject),
      client_id: 'keyed',
      client_secret: null,
      token_endpoint_auth_method: 'private_key_jwt',
    };
    for (const id of ['openid-client', 'passport']) {
      const recipe = RECIPES.find((each) => each.id === id);
      expect(recipe, id).toBeDefined();
      const text = (recipe as Recipe)
        .render({ issuer: ISSUER, client: keyed })
        .map((file) => file.content)
        .join('\n');
      expect(text, id).toContain('client.PrivateKeyJwt(PRIVATE_KEY)');
      expect(text, id).toContain("import { importJWK } from 'jose'");
      expect(text, id).toContain('const PRIVATE_KEY = await importJWK(');
    }
    expect(recipesFor(keyed).map((recipe) => recipe.id)).toEqual(
      recipesFor(EXAMPLES[1] as RecipeSubject).map((recipe) => recipe.id),
    );
  });

  it('never carry a secret for a public client, even one the admin API returned with a secret', () => {
    const stored: Client = {
      client_id: 'spa',
      client_name: null,
      client_secret: 'leaked-secret-value',
      redirect_uris: ['http://127.0.0.1:5173/callback'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code', 'refresh_token'],
      token_endpoint_auth_method: 'none',
      jwks: null,
      jwks_uri: null,
      token_endpoint_auth_signing_alg: null,
      scope: 'openid profile',
      access_token_format: 'jwt',
      audience: ['orders-api'],
      access_token_ttl: null,
      id_token_ttl: null,
      refresh_token_ttl: null,
      allow_loopback_port_variance: true,
      introspect_any_token: false,
      created_at: '2026-01-01T00:00:00.000Z',
      updated_at: '2026-01-01T00:00:00.000Z',
    };
    const client = toRecipeClient(stored);
    expect(client.client_secret).toBeNull();
    for (const recipe of RECIPES) {
      for (const file of recipe.render({ issuer: ISSUER, client })) {
        expect(file.content, `${recipe.id} ${file.name}`).not.toContain('leaked-secret-value');
        expect(file.content, `${recipe.id} ${file.name}`).not.toMatch(/\bnull\b.*secret|secret.*\bnull\b/i);
      }
    }
  });

  it('pick recipes by what the client is for', () => {
    const [spa, web, jwtService, referenceService] = EXAMPLES as [
      RecipeSubject,
      RecipeSubject,
      RecipeSubject,
      RecipeSubject,
    ];
    expect(new Set(recipesFor(spa).map((r) => r.kind))).toEqual(new Set(['browser-app']));
    expect(new Set(recipesFor(web).map((r) => r.kind))).toEqual(new Set(['web-app', 'gateway']));
    const forJwt = recipesFor(jwtService).map((r) => r.id);
    const forReference = recipesFor(referenceService).map((r) => r.id);
    expect(forJwt).toContain('spring-boot-jwt');
    expect(forJwt).not.toContain('spring-boot-opaque');
    expect(forReference).toContain('spring-boot-opaque');
    expect(forReference).not.toContain('spring-boot-jwt');
    // A client fitting no kind still gets something to start from.
    expect(recipesFor({ ...jwtService, audience: [], grant_types: ['password'] })).toHaveLength(
      RECIPES.length,
    );
  });
});
