import { describe, expect, it } from 'vitest';
import type { CheckApiResult } from '../../../../../shared/lab';
import { countVerdicts, reportFileName, type SortKey, sortResults } from './report';

function result(
  variant: CheckApiResult['variant'],
  verdict: CheckApiResult['verdict'],
  status: number | null,
  duration_ms: number,
): CheckApiResult {
  return {
    variant,
    verdict,
    status,
    duration_ms,
    title: variant,
    expected: 'Reject with 401',
    reference: 'RFC 6750 §3.1',
    error: status === null ? 'connection refused' : null,
    curl: 'curl …',
  };
}

const RESULTS = [
  result('expired', 'rejected', 401, 5),
  result('alg_none', 'wrongly_accepted', 200, 3),
  result('wrong_audience', 'error', null, 5000),
  result('no_audience', 'wrongly_accepted', 200, 7),
];

const variants = (results: CheckApiResult[]) => results.map((r) => r.variant);

describe('the attack run’s report', () => {
  // Findings first by default, keeping the run's order among equals; no answer sorts last by status.
  it.each<[SortKey, boolean, CheckApiResult['variant'][]]>([
    ['verdict', false, ['alg_none', 'no_audience', 'wrong_audience', 'expired']],
    ['verdict', true, ['expired', 'wrong_audience', 'alg_none', 'no_audience']],
    ['variant', false, ['alg_none', 'expired', 'no_audience', 'wrong_audience']],
    ['status', false, ['alg_none', 'no_audience', 'expired', 'wrong_audience']],
  ])('sorts by %s (descending: %s)', (key, descending, expected) => {
    expect(variants(sortResults(RESULTS, key, descending))).toEqual(expected);
  });

  it('sorts by duration, without changing its input', () => {
    expect(variants(sortResults(RESULTS, 'duration', true))[0]).toBe('wrong_audience');
    expect(variants(RESULTS)[0]).toBe('expired');
  });

  it('counts each verdict and names exports after the run’s start', () => {
    expect(countVerdicts(RESULTS)).toEqual({ wrongly_accepted: 2, rejected: 1, error: 1 });
    expect(countVerdicts([])).toEqual({ wrongly_accepted: 0, rejected: 0, error: 0 });
    expect(reportFileName({ started_at: '2025-03-04T05:06:07.890Z' })).toBe('check-api-20250304-050607');
  });
});
