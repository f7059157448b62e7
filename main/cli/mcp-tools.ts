import { z } from 'zod';
import { type AdminMethod, adminContract } from '../../shared/contract';

/**
 * The admin methods `idp-sandbox mcp` offers as tools, with what an agent reads to choose one. A curated
 * set: what sets up and inspects test identities. The desktop-only and lab methods (HTTPS choice,
 * playground, faults) stay with the UI and the admin HTTP API.
 */
export const MCP_TOOL_METHODS = {
  'engine.info':
    'The running sandbox: issuer URL, discovery URL, port, version. Configure your app or API with the issuer.',
  'settings.get':
    'The provider settings: token lifetimes, signing algorithm, clock offset, login page options.',
  'settings.update':
    'Changes provider settings, e.g. access_token_ttl or clock_offset_seconds (move provider time to test expiry).',
  'users.list': 'Lists the test users (optionally those matching `search`).',
  'users.get': 'One test user by username, with their claims.',
  'users.create':
    'Creates a test user who can sign in at the login page: username, password, and claims (email, name, groups, custom claims).',
  'users.update': 'Replaces the user named `username` with `user` (which may rename it).',
  'users.delete': 'Deletes a test user.',
  'clients.list': 'Lists the registered OAuth clients.',
  'clients.get': 'One OAuth client by client_id.',
  'clients.create':
    'Registers an OAuth client: client_id, redirect_uris, grant_types, token_endpoint_auth_method, scope, audience… A confidential client gets a secret, returned here.',
  'clients.delete': 'Deletes an OAuth client.',
  'tokens.mint':
    'Issues a token directly, without a flow: for a client (a machine token) or about a user; access (JWT or reference), id or refresh; scope, audience, extra claims and lifetime can be set. Returns the token value and its decoded details.',
  'tokens.list': 'Lists issued tokens, newest first, filtered by client, user, kind or status.',
  'tokens.get': 'The details of an issued token by its id: claims, status, lineage.',
  'tokens.lookup':
    'Inspects a token value (JWT or reference): what the provider knows about it and what introspection answers.',
  'tokens.revoke': 'Revokes an issued token by its id.',
  'tokens.revokeUser': "Revokes all of a user's tokens.",
  'keys.list': 'The signing keys (kid, alg, status) and their public JWKs.',
  'keys.rotate': 'Rotates the signing key now: a new key signs; the old one stays in the JWKS as previous.',
  'workspace.export': 'The users, clients and settings as a workspace document (the --seed file format).',
} as const satisfies Partial<Record<AdminMethod, string>>;

export type McpToolMethod = keyof typeof MCP_TOOL_METHODS;

/** `users.create` → `users_create`: some MCP clients accept only [A-Za-z0-9_-] in tool names. */
export function toolName(method: AdminMethod): string {
  return method.replace('.', '_');
}

/**
 * The tool's input schema, derived from the admin contract's zod schema: what a caller may send (its
 * input side, so fields with defaults are optional), as JSON Schema.
 */
export function toolInputSchema(method: AdminMethod): { type: 'object'; [key: string]: unknown } {
  const schema = z.toJSONSchema(adminContract[method].input, { io: 'input', unrepresentable: 'any' });
  if (schema.type !== 'object') throw new Error(`The input of ${method} is not an object schema.`);
  return schema as { type: 'object'; [key: string]: unknown };
}

export interface McpTool {
  name: string;
  method: McpToolMethod;
  description: string;
  inputSchema: { type: 'object'; [key: string]: unknown };
}

export function mcpTools(): McpTool[] {
  return Object.entries(MCP_TOOL_METHODS).map(([method, description]) => ({
    name: toolName(method as McpToolMethod),
    method: method as McpToolMethod,
    description,
    inputSchema: toolInputSchema(method as McpToolMethod),
  }));
}
