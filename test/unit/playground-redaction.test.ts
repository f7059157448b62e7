import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../main/core/admin/playground/client-auth';

describe('the playground hides pasted key material from what it answers', () => {
  const d = 'Vq3vWq0Zx9m1b2c3d4e5f6g7h8i9j0kLmNoPqRsTuVw';

  it('replaces every occurrence, in nested strings', () => {
    expect(redactSecrets({ steps: [{ text: `key ${d}.` }], note: d }, [d])).toEqual({
      steps: [{ text: 'key [redacted].' }],
      note: '[redacted]',
    });
  });

  it('leaves text alone for a paste too short to be key material', () => {
    const message = 'The private key for "api" is not JSON: paste the private JWK.';
    expect(redactSecrets(message, ['a', ' p '])).toBe(message);
  });
});
