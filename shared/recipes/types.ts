/**
 * A recipe is the configuration a user copies into their own stack to use a client of the sandbox.
 * Recipes are generated from the client's values, so the client drawer, docs/RECIPES.md and the
 * interop suite (test/interop/) all show the one configuration: a recipe whose client runs in the
 * suite is rendered there and run as it is, so it cannot rot unnoticed.
 */
import type { AuthMethod } from '../schemas';
export interface RecipeClient {
  client_id: string;
  /** null for public clients (token_endpoint_auth_method "none"). */
  client_secret: string | null;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  scope: string;
  audience: string[];
  token_endpoint_auth_method: AuthMethod;
  access_token_format: 'jwt' | 'reference';
}

export interface RecipeInput {
  /** The provider's issuer URL, e.g. http://127.0.0.1:9400 */
  issuer: string;
  client: RecipeClient;
  /** The sandbox's CA certificate (PEM file) when it serves https, for clients that must be told to trust it. */
  caFile?: string;
}

type RecipeLanguage =
  | 'typescript'
  | 'javascript'
  | 'python'
  | 'go'
  | 'csharp'
  | 'java'
  | 'yaml'
  | 'json'
  | 'apache'
  | 'ini'
  | 'shell';

export interface RecipeFile {
  /** The file name the user would save it as, e.g. `auth.ts`, `application.yml`. */
  name: string;
  language: RecipeLanguage;
  content: string;
}

export type RecipeKind = 'browser-app' | 'web-app' | 'resource-server' | 'gateway';

export interface Recipe {
  id: string;
  title: string;
  kind: RecipeKind;
  /** One line on when to pick it. */
  summary: string;
  /**
   * The interop test file that renders this recipe and runs it with the real client
   * (e.g. `test/interop/apache.test.ts`), or null when the client does not run on the build machines.
   */
  exercisedBy: string | null;
  /**
   * The access token format the recipe validates, when it handles only one (a JWT verifier cannot read
   * reference tokens; an introspecting one needs no JWT). Absent when the format does not matter.
   */
  accessTokenFormat?: RecipeClient['access_token_format'];
  render(input: RecipeInput): RecipeFile[];
}
