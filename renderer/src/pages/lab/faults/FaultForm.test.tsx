import { cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { FaultInput } from '../../../../../shared/faults';
import { renderWithTheme } from '../../../test-utils';
import { draftNumbersValid, FaultForm } from './FaultForm';

afterEach(cleanup);

describe('Lab → Faults form', () => {
  it('refuses a request count out of range inline and does not turn the fault on', () => {
    const added: FaultInput[] = [];
    renderWithTheme(<FaultForm pending={false} onAdd={(input) => added.push(input)} />);
    const count = screen.getByLabelText('Requests') as HTMLInputElement;
    fireEvent.change(count, { target: { value: '0' } });
    fireEvent.blur(count);
    expect(count.value).toBe('0');
    expect(screen.getByText('Must be from 1 to 10,000')).toBeTruthy();
    const turnOn = screen.getByRole('button', { name: 'Turn on' }) as HTMLButtonElement;
    expect(turnOn.disabled).toBe(true);

    fireEvent.change(count, { target: { value: '3' } });
    fireEvent.click(turnOn);
    expect(added).toEqual([
      { endpoint: 'token', effect: { kind: 'error_status', status: 503 }, requests: 3 },
    ]);
  });

  it('checks latency and duration against the bounds faults.add applies', () => {
    expect(draftNumbersValid({ kind: 'latency', ms: 0, scope: 'open', count: 1 })).toBe(false);
    expect(draftNumbersValid({ kind: 'latency', ms: 60_001, scope: 'open', count: 1 })).toBe(false);
    expect(draftNumbersValid({ kind: 'latency', ms: 2000, scope: 'open', count: 1 })).toBe(true);
    expect(draftNumbersValid({ kind: 'error_status', ms: 0, scope: 'seconds', count: 7 * 86_400 + 1 })).toBe(
      false,
    );
    expect(draftNumbersValid({ kind: 'error_status', ms: 0, scope: 'seconds', count: 30 })).toBe(true);
  });
});
