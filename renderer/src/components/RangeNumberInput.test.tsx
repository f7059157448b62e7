import { cleanup, fireEvent, screen } from '@testing-library/react';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../../shared/schemas';
import { renderWithTheme } from '../test-utils';
import { type NumberFieldValue, RangeNumberInput, rangeError } from './RangeNumberInput';

afterEach(cleanup);

const TTL = SettingsSchema.shape.access_token_ttl;
const CODE_TTL = SettingsSchema.shape.authorization_code_ttl;

describe('rangeError', () => {
  it('names the range the engine applies, in seconds and as a duration', () => {
    expect(rangeError(TTL, 0)).toBe('Must be from 1 s to 31,536,000 s (365 days)');
    expect(rangeError(TTL, -10)).toBe('Must be from 1 s to 31,536,000 s (365 days)');
    expect(rangeError(CODE_TTL, 100_000)).toBe('Must be from 1 s to 3,600 s (1 h)');
    expect(rangeError(TTL, 3600)).toBeNull();
  });

  it('refuses fractions, half-typed text and an empty required field, and allows empty when optional', () => {
    expect(rangeError(TTL, 1.5)).toBe('Enter a whole number from 1 s to 31,536,000 s (365 days)');
    expect(rangeError(TTL, '-')).toBe('Enter a number from 1 s to 31,536,000 s (365 days)');
    expect(rangeError(TTL, '')).toBe('Required');
    expect(rangeError(TTL, '', { optional: true })).toBeNull();
  });
});

function Field({ initial }: { initial: NumberFieldValue }) {
  const [value, setValue] = useState<NumberFieldValue>(initial);
  return <RangeNumberInput label="Lifetime" schema={TTL} value={value} onChange={setValue} />;
}

describe('RangeNumberInput', () => {
  it('keeps an out-of-range value as typed after blur and shows why it is refused', () => {
    renderWithTheme(<Field initial={60} />);
    const input = screen.getByLabelText('Lifetime') as HTMLInputElement;
    for (const typed of ['0', '-10', '99999999999']) {
      fireEvent.change(input, { target: { value: typed } });
      fireEvent.blur(input);
      // Mantine's default would have clamped to 1 or 31536000 here.
      expect(input.value.replaceAll(',', '')).toBe(typed);
      expect(screen.getByText('Must be from 1 s to 31,536,000 s (365 days)')).toBeTruthy();
    }
    fireEvent.change(input, { target: { value: '120' } });
    expect(screen.queryByText(/Must be from/)).toBeNull();
  });
});
