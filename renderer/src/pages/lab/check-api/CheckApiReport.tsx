import { Alert, Badge, Box, Button, Code, Group, Paper, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { CheckApiOutput, CheckApiResult } from '../../../../../shared/lab';
import { junitReport } from '../../../../../shared/lab-report';
import { Choice } from '../../../components/Choice';
import { CopyButton } from '../../../components/CopyButton';
import { DataTable, type TableSpec } from '../../../components/DataTable';
import { downloadText } from '../../../lib/download';
import { VariantName } from '../WithClients';
import {
  countVerdicts,
  reportFileName,
  type SortKey,
  sortResults,
  VERDICT_COLORS,
  VERDICT_LABELS,
} from './report';

const SORT_LABELS: Record<SortKey, string> = {
  verdict: 'Verdict (findings first)',
  variant: 'Bad token',
  status: 'Status',
  duration: 'Duration',
};

const WRAP = { overflowWrap: 'anywhere' } as const;

const RESULTS_TABLE: TableSpec<CheckApiResult> = {
  label: 'Results',
  rowKey: (result) => result.variant,
  minWidth: 1000,
  striped: true,
  columns: [
    {
      header: 'Bad token',
      cell: (result) => <VariantName title={result.title} variant={result.variant} />,
      props: { w: 260, style: WRAP },
    },
    {
      header: 'Expected',
      cell: (result) => (
        <Stack gap={2}>
          <Text size="sm">{result.expected}</Text>
          <Text size="xs" c="dimmed">
            {result.reference}
          </Text>
        </Stack>
      ),
      props: { style: WRAP },
    },
    {
      header: 'Got',
      cell: (result) =>
        result.status ?? (
          <Text size="sm" c="orange" style={WRAP}>
            {result.error ?? 'no answer'}
          </Text>
        ),
      props: { maw: 200 },
    },
    {
      header: 'Verdict',
      cell: (result) => (
        <Badge color={VERDICT_COLORS[result.verdict]} data-verdict={result.verdict}>
          {VERDICT_LABELS[result.verdict]}
        </Badge>
      ),
      // Room for "Wrongly accepted": Mantine cuts a squeezed badge's label short.
      props: { style: { whiteSpace: 'nowrap', minWidth: 160 } },
    },
    {
      header: 'Time',
      cell: (result) => `${Math.round(result.duration_ms)} ms`,
      props: { style: { whiteSpace: 'nowrap' } },
    },
    {
      header: 'Reproduce',
      cell: (result) => <CopyButton compact value={result.curl} label={`Copy curl for ${result.variant}`} />,
    },
  ],
};

/** The baseline's outcome: the run means something only if the good token got in. */
function BaselineLine({ output }: { output: CheckApiOutput }) {
  const { baseline } = output;
  if (baseline.accepted) {
    return (
      <Group gap="xs" data-baseline="accepted">
        <Badge color="green">Baseline accepted</Badge>
        <Text size="sm">
          The good token got status {baseline.status}, so a rejection below is the API refusing the flaw.
        </Text>
        <CopyButton value={baseline.curl} label="Copy curl for the baseline" size="xs" />
      </Group>
    );
  }
  return (
    <Alert color="orange" title="The run stopped: the good token was not accepted" data-baseline="refused">
      <Stack gap="xs">
        <Text size="sm" style={WRAP}>
          {/* The engine says why, in words: what came back and what to check. */}
          {baseline.error ?? `Your API answered ${baseline.status} to the good token.`}
        </Text>
        <Code block style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', fontSize: 12 }}>
          {baseline.curl}
        </Code>
        <CopyButton value={baseline.curl} label="Copy curl for the baseline" size="xs" />
      </Stack>
    </Alert>
  );
}

function Summary({ output }: { output: CheckApiOutput }) {
  const counts = countVerdicts(output.results);
  const total = output.results.length;
  // A named region around the alert: Alert names itself by its title, which changes with the count.
  return (
    <Box component="section" aria-label="Findings">
      <Alert
        color={output.findings > 0 ? 'red' : counts.error > 0 ? 'orange' : 'green'}
        title={
          output.findings > 0
            ? `${output.findings} of ${total} bad tokens wrongly accepted`
            : `No bad token accepted (${total} sent)`
        }
        role="status"
      >
        <Text size="sm">
          {counts.wrongly_accepted} wrongly accepted · {counts.rejected} rejected · {counts.error} errors ·{' '}
          {(output.duration_ms / 1000).toFixed(1)} s in all.
          {output.findings > 0 &&
            ' Each wrongly accepted token is a hole: your API let in a token it must refuse.'}
        </Text>
      </Alert>
    </Box>
  );
}

/** The attack run's outcome: baseline, findings, the table per bad token, and the exports. */
export function CheckApiReport({ output }: { output: CheckApiOutput }) {
  const [sortKey, setSortKey] = useState<SortKey>('verdict');
  const [descending, setDescending] = useState(false);
  const rows = sortResults(output.results, sortKey, descending);
  const fileName = reportFileName(output);
  return (
    <Paper withBorder p="md" role="region" aria-label="Report">
      <Stack>
        <Group justify="space-between" align="flex-end">
          <Title order={3} size="h4" style={WRAP}>
            Report: {output.method} {output.url}
          </Title>
          <Group gap="xs">
            <Button
              variant="light"
              size="xs"
              onClick={() =>
                downloadText(`${fileName}.json`, `${JSON.stringify(output, null, 2)}\n`, 'application/json')
              }
            >
              JSON
            </Button>
            <Button
              variant="light"
              size="xs"
              onClick={() => downloadText(`${fileName}.xml`, junitReport(output), 'application/xml')}
            >
              JUnit XML
            </Button>
          </Group>
        </Group>
        <BaselineLine output={output} />
        {output.baseline.accepted && (
          <>
            <Summary output={output} />
            <Group align="flex-end">
              <Select
                label="Sort by"
                data={(Object.keys(SORT_LABELS) as SortKey[]).map((key) => ({
                  value: key,
                  label: SORT_LABELS[key],
                }))}
                value={sortKey}
                onChange={(key) => key && setSortKey(key as SortKey)}
                allowDeselect={false}
                w={240}
              />
              <Choice
                aria-label="Sort order"
                value={descending ? 'descending' : 'ascending'}
                onChange={(order) => setDescending(order === 'descending')}
                data={[
                  { value: 'ascending', label: 'Ascending' },
                  { value: 'descending', label: 'Descending' },
                ]}
              />
            </Group>
            <DataTable
              {...RESULTS_TABLE}
              empty={<Text c="dimmed">No bad tokens were sent.</Text>}
              rows={rows}
            />
          </>
        )}
      </Stack>
    </Paper>
  );
}
