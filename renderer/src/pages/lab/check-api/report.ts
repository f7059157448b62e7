/** The attack run's report as the page shows it: sorted, counted, and named for download. */
import type { CheckApiOutput, CheckApiResult } from '../../../../../shared/lab';

export type Verdict = CheckApiResult['verdict'];

export const VERDICT_LABELS: Record<Verdict, string> = {
  wrongly_accepted: 'Wrongly accepted',
  error: 'Error',
  rejected: 'Rejected',
};

/** A finding is red, a failed request orange, a correct rejection green. */
export const VERDICT_COLORS: Record<Verdict, string> = {
  wrongly_accepted: 'red',
  error: 'orange',
  rejected: 'green',
};

export type SortKey = 'verdict' | 'variant' | 'status' | 'duration';

/** Findings first: what needs fixing, then what could not be checked, then what passed. */
const VERDICT_ORDER: Record<Verdict, number> = { wrongly_accepted: 0, error: 1, rejected: 2 };

const COMPARE: Record<SortKey, (a: CheckApiResult, b: CheckApiResult) => number> = {
  verdict: (a, b) => VERDICT_ORDER[a.verdict] - VERDICT_ORDER[b.verdict],
  variant: (a, b) => a.variant.localeCompare(b.variant),
  // A failed request (no status) sorts after every answered one.
  status: (a, b) => (a.status ?? 1000) - (b.status ?? 1000),
  duration: (a, b) => a.duration_ms - b.duration_ms,
};

/** A sorted copy; ties keep the run's order, so the table does not shuffle between sorts. */
export function sortResults(
  results: readonly CheckApiResult[],
  key: SortKey,
  descending: boolean,
): CheckApiResult[] {
  const compare = COMPARE[key];
  return results
    .map((result, index) => ({ result, index }))
    .sort((a, b) => (descending ? -1 : 1) * compare(a.result, b.result) || a.index - b.index)
    .map(({ result }) => result);
}

export function countVerdicts(results: readonly CheckApiResult[]): Record<Verdict, number> {
  const counts: Record<Verdict, number> = { wrongly_accepted: 0, error: 0, rejected: 0 };
  for (const result of results) counts[result.verdict] += 1;
  return counts;
}

/** "check-api-20250101-120000": the run's start, so exports of several runs do not overwrite each other. */
export function reportFileName(output: Pick<CheckApiOutput, 'started_at'>): string {
  const stamp = output.started_at.slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `check-api-${stamp}`;
}
