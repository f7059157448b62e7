import { describe, expect, it } from 'vitest';
import { formatBody } from './HttpPanes';

describe('formatBody', () => {
  it('pretty-prints JSON, lists form fields decoded, and leaves anything else alone', () => {
    expect(formatBody('{"a":1}', 'application/json; charset=utf-8')).toBe('{\n  "a": 1\n}');
    expect(
      formatBody(
        'grant_type=authorization_code&redirect_uri=http%3A%2F%2Fx%2Fcb',
        'application/x-www-form-urlencoded',
      ),
    ).toBe('grant_type=authorization_code\nredirect_uri=http://x/cb');
    expect(formatBody('<html>', 'text/html')).toBe('<html>');
    expect(formatBody('{broken', 'application/json')).toBe('{broken');
  });
});
