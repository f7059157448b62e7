import { describe, expect, it } from 'vitest';
import { parseJwksText } from './client-keys';

describe('parseJwksText', () => {
  it('reads a JWK Set, and wraps a single JWK into one', () => {
    const key = { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' };
    expect(parseJwksText(JSON.stringify({ keys: [key] }))).toEqual({ jwks: { keys: [key] } });
    expect(parseJwksText(JSON.stringify(key))).toEqual({ jwks: { keys: [key] } });
  });

  it('says what is wrong with text that is not a JSON object', () => {
    expect(parseJwksText('')).toEqual({ error: expect.stringMatching(/paste a JWK Set/) });
    expect(parseJwksText('{"keys": [')).toEqual({ error: expect.stringMatching(/not valid JSON/) });
    expect(parseJwksText('[1]')).toEqual({ error: expect.stringMatching(/expected a JSON object/) });
  });
});
