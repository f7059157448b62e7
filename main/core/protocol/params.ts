import type { FastifyRequest } from 'fastify';
import { invalidRequest, OAuthError } from './errors';

export type Params = Record<string, string>;

const FORM_TYPE = 'application/x-www-form-urlencoded';

/** Parameters allowed more than once: resource (RFC 8707 §2), audience (RFC 8693 §2.1, token exchange). */
const REPEATABLE = new Set(['resource', 'audience']);

interface ParsedParams {
  params: Params;
  /** Names sent more than once (and not repeatable); they are left out of `params`. */
  duplicated: string[];
}

/**
 * Reads a request's parameters (query for GET, form body for POST) into single strings, refusing
 * anything that is not form-encoded. Parameters sent twice (RFC 6749 §3.1) are reported rather than
 * thrown, for the authorization endpoint, which must answer them differently depending on which one
 * it is. Repeatable ones (resource) are joined with NUL: read them with `readRepeated`.
 */
export function parseParams(request: FastifyRequest, source: 'query' | 'body' | 'either'): ParsedParams {
  let raw: unknown;
  if (source === 'query' || (source === 'either' && request.method === 'GET')) {
    raw = request.query;
  } else {
    const type = request.headers['content-type'] ?? '';
    // Media types are case-insensitive; lower-casing only a type not already spelt as expected.
    if (!type.startsWith(FORM_TYPE) && !type.toLowerCase().startsWith(FORM_TYPE)) {
      throw new OAuthError(400, 'invalid_request', 'Send parameters as application/x-www-form-urlencoded.');
    }
    raw = request.body ?? {};
  }
  const params: Params = {};
  const duplicated: string[] = [];
  if (typeof raw !== 'object' || raw === null) return { params, duplicated };
  // for…in rather than Object.entries, which makes an array for each parameter and one of them all:
  // every OAuth request comes through here.
  const fields = raw as Record<string, unknown>;
  for (const name in fields) {
    if (!Object.hasOwn(fields, name)) continue;
    const value = fields[name];
    if (Array.isArray(value)) {
      if (REPEATABLE.has(name)) params[name] = value.map(String).join('\u0000');
      else duplicated.push(name);
    } else if (typeof value === 'string') {
      params[name] = value;
    }
  }
  return { params, duplicated };
}

/** `parseParams`, refusing any parameter sent twice with invalid_request. */
export function readParams(request: FastifyRequest, source: 'query' | 'body' | 'either'): Params {
  const { params, duplicated } = parseParams(request, source);
  if (duplicated.length) throw duplicatedParameter(duplicated);
  return params;
}

export function duplicatedParameter(names: string[]): OAuthError {
  return invalidRequest(
    `The parameter${names.length > 1 ? 's' : ''} ${names.map((n) => `"${n}"`).join(', ')} ${names.length > 1 ? 'are' : 'is'} included more than once.`,
  );
}

/** Values of a repeatable parameter (see readParams). */
export function readRepeated(params: Params, name: string): string[] {
  const value = params[name];
  return value === undefined || value === '' ? [] : value.split('\u0000');
}

export function required(params: Params, name: string): string {
  const value = params[name];
  if (value === undefined || value === '') throw invalidRequest(`The "${name}" parameter is missing.`);
  return value;
}
