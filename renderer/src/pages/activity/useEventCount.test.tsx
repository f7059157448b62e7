import { describe, expect, it } from 'vitest';
import { countText } from './useEventCount';

describe('countText', () => {
  it('says an exact count in full', () => {
    expect(countText(5_000_000, true)).toBe('5,000,000 events');
    expect(countText(1_234_567, true)).toBe('1,234,567 events');
    expect(countText(1, true)).toBe('1 event');
    expect(countText(0, true)).toBe('0 events');
  });

  it('rounds an estimate to two significant digits and says it is one', () => {
    expect(countText(1_234_567, false)).toBe('≈ 1,200,000 events');
    expect(countText(3_160, false)).toBe('≈ 3,200 events');
    expect(countText(42, false)).toBe('≈ 42 events');
  });
});
