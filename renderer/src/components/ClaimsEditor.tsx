import {
  ActionIcon,
  Autocomplete,
  Badge,
  Button,
  Group,
  Stack,
  Table,
  Text,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import type { Claims } from '../../../shared/schemas';
import {
  type ClaimRow,
  type ClaimsResult,
  claimsToRows,
  formatClaimsJson,
  parseCell,
  parseClaimsJson,
  rowsToClaims,
  STANDARD_CLAIMS,
} from '../lib/claims';
import { Choice, choiceOptions } from './Choice';
import { CodeTextarea } from './CodeTextarea';
import { CloseIcon } from './icons';

type Mode = 'table' | 'json';
const MODE_LABELS: Record<Mode, string> = { table: 'Table', json: 'JSON' };

interface ClaimsEditorProps {
  defaultValue?: Claims;
  /** Called on every edit with the claims, or with the reason they are not valid yet. */
  onChange: (result: ClaimsResult) => void;
}

function typeOf(text: string): string {
  const value = parseCell(text);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

const MONO = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };
const EXAMPLES = new Map(STANDARD_CLAIMS.map((claim) => [claim.name, claim.example]));

/**
 * A user's claims as a key/value table (values are read as JSON when they are valid JSON, as text
 * otherwise) or as raw JSON, with the same validation the engine applies.
 */
export function ClaimsEditor({ defaultValue = {}, onChange }: ClaimsEditorProps) {
  const [mode, setMode] = useState<Mode>('table');
  const [rows, setRows] = useState<ClaimRow[]>(() => claimsToRows(defaultValue));
  const [text, setText] = useState(() => formatClaimsJson(defaultValue));
  const [result, setResult] = useState<ClaimsResult>(() => ({ ok: true, claims: defaultValue }));
  // After "Add claim", focus goes to the new row's name, so a keyboard user types on without hunting.
  const nameInputs = useRef<Array<HTMLInputElement | null>>([]);
  const [focusRow, setFocusRow] = useState<number | null>(null);
  useEffect(() => {
    if (focusRow === null) return;
    nameInputs.current[focusRow]?.focus();
    setFocusRow(null);
  }, [focusRow]);

  const report = (next: ClaimsResult) => {
    setResult(next);
    onChange(next);
  };
  const updateRows = (next: ClaimRow[]) => {
    setRows(next);
    report(rowsToClaims(next));
  };
  const updateText = (next: string) => {
    setText(next);
    report(parseClaimsJson(next));
  };
  const switchMode = (next: Mode) => {
    if (next === mode || !result.ok) return;
    if (next === 'json') setText(formatClaimsJson(result.claims));
    else setRows(claimsToRows(result.claims));
    setMode(next);
  };

  const used = new Set(rows.map((row) => row.name.trim()));
  const suggestions = STANDARD_CLAIMS.map((claim) => claim.name).filter((name) => !used.has(name));
  const error = result.ok ? null : result.error;

  return (
    <Stack gap="xs">
      <Group justify="space-between">
        <Text fw={500} size="sm" id="claims-editor-label">
          Claims
        </Text>
        <Choice
          size="xs"
          aria-label="Claims editor mode"
          value={mode}
          onChange={switchMode}
          // Invalid claims cannot be carried over to the other mode.
          data={choiceOptions(MODE_LABELS).map((option) => ({
            ...option,
            disabled: option.value !== mode && !result.ok,
          }))}
        />
      </Group>
      {mode === 'table' ? (
        <>
          {rows.length === 0 ? (
            <Text size="sm" c="dimmed">
              No claims yet. Add one — standard OIDC claims like email or name are suggested as you type.
            </Text>
          ) : (
            <Table aria-labelledby="claims-editor-label" verticalSpacing={4}>
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Value (JSON or text)</Table.Th>
                  <Table.Th w={90}>Type</Table.Th>
                  <Table.Th w={40}>
                    <VisuallyHidden>Remove</VisuallyHidden>
                  </Table.Th>
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {rows.map((row, index) => {
                  const example = EXAMPLES.get(row.name.trim());
                  return (
                    // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their position
                    <Table.Tr key={index}>
                      <Table.Td>
                        <Autocomplete
                          aria-label={`Claim name ${index + 1}`}
                          ref={(input) => {
                            nameInputs.current[index] = input;
                          }}
                          placeholder="email"
                          data={suggestions}
                          value={row.name}
                          onChange={(name) =>
                            updateRows(rows.map((r, i) => (i === index ? { ...r, name } : r)))
                          }
                          size="xs"
                        />
                      </Table.Td>
                      <Table.Td>
                        <TextInput
                          aria-label={`Claim value ${index + 1}`}
                          placeholder={example === undefined ? 'value' : `e.g. ${JSON.stringify(example)}`}
                          value={row.value}
                          onChange={(event) => {
                            const value = event.currentTarget.value;
                            updateRows(rows.map((r, i) => (i === index ? { ...r, value } : r)));
                          }}
                          size="xs"
                          styles={MONO}
                        />
                      </Table.Td>
                      <Table.Td>
                        <Badge
                          variant="light"
                          size="xs"
                          color="gray"
                          tt="none"
                          style={{ overflow: 'visible' }}
                        >
                          {typeOf(row.value)}
                        </Badge>
                      </Table.Td>
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          color="red"
                          aria-label={`Remove claim ${index + 1}`}
                          onClick={() => updateRows(rows.filter((_, i) => i !== index))}
                        >
                          <CloseIcon />
                        </ActionIcon>
                      </Table.Td>
                    </Table.Tr>
                  );
                })}
              </Table.Tbody>
            </Table>
          )}
          <Group>
            <Button
              size="xs"
              variant="light"
              onClick={() => {
                updateRows([...rows, { name: '', value: '' }]);
                setFocusRow(rows.length);
              }}
            >
              Add claim
            </Button>
          </Group>
          {error && (
            <Text size="sm" c="red" aria-live="polite" data-testid="claims-error">
              {error}
            </Text>
          )}
        </>
      ) : (
        <CodeTextarea
          label="Claims JSON"
          description='A JSON object, e.g. {"email": "alice@example.com", "roles": ["admin"]}'
          value={text}
          onChange={updateText}
          error={error}
          minRows={6}
          maxRows={20}
        />
      )}
    </Stack>
  );
}
