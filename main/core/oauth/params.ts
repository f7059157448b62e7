import type { FastifyRequest } from 'fastify';
import { invalidRequest, OAuthError } from './errors';

export type Params = Record<string, string>;

/** Parameters RFC 8707 allows more than once. */
const REPEATABLE = new Set(['resource']);

/**
 * Reads a request's parameters (query for GET, form body for POST) into single strings, refusing
 * parameters sent twice (RFC 6749 §3.1) and anything that is not form-encoded. Repeatable ones
 * (resource) come back joined by spaces' absence: read them with `readRepeated`.
 */
export function readParams(request: FastifyRequest, source: 'query' | 'body' | 'either'): Params {
  let raw: unknown;
  if (source === 'query' || (source === 'either' && request.method === 'GET')) {
    raw = request.query;
  } else {
    const type = (request.headers['content-type'] ?? '').toLowerCase();
    if (!type.startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthError(400, 'invalid_request', 'Send parameters as application/x-www-form-urlencoded.');
    }
    raw = request.body ?? {};
  }
  if (typeof raw !== 'object' || raw === null) return {};
  const params: Params = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (Array.isArray(value)) {
      if (!REPEATABLE.has(name)) throw invalidRequest(`The parameter "${name}" is included more than once.`);
      params[name] = value.map(String).join('\u0000');
    } else if (typeof value === 'string') {
      params[name] = value;
    }
  }
  return params;
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
