import { describe, expect, it } from 'vitest';
import { signedDuration } from '../../../shared/duration';
import { offsetToReach } from './ProviderClock';

describe('the provider clock dialog', () => {
  it('says an offset the way people do, with its sign', () => {
    expect(signedDuration(3600)).toBe('+1 h');
    expect(signedDuration(-90)).toBe('−1 min 30 s');
    expect(signedDuration(86_400 + 3600)).toBe('+1 day 1 h');
  });

  it('computes the offset that puts provider time at a chosen date', () => {
    const realNow = new Date('2026-12-04T12:00:00').getTime();
    expect(offsetToReach('2026-12-05T12:00', realNow)).toBe(86_400);
    expect(offsetToReach('2026-12-04T11:00', realNow)).toBe(-3600);
  });

  it('refuses an empty date and one more than ten years away, saying why', () => {
    const realNow = Date.now();
    expect(offsetToReach('', realNow)).toBe('Enter a date and time.');
    expect(offsetToReach('2199-01-01T00:00', realNow)).toBe(
      'Provider time can move at most ten years either way.',
    );
  });
});
