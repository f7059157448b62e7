import { ActionIcon, Button, Group, Stack, TagsInput, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { type ScopeClaims, ScopeClaimsSchema, type Settings } from '../../../../shared/schemas';
import { ErrorAlert } from '../../components/ErrorAlert';
import { CloseIcon } from '../../components/icons';
import { Panel } from '../../components/Page';
import { QueryState } from '../../components/QueryState';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';

interface Row {
  /** React key: rows can be removed from the middle. */
  id: number;
  scope: string;
  claims: string[];
}

let nextRowId = 0;
const rowsOf = (scopeClaims: ScopeClaims | undefined): Row[] =>
  Object.entries(scopeClaims ?? {}).map(([scope, claims]) => ({ id: nextRowId++, scope, claims }));
const plain = (rows: Row[]) => JSON.stringify(rows.map(({ scope, claims }) => [scope, claims]));

/** The rows as the settings have them, or what is wrong (checked by the engine's own schema). */
function scopeClaimsOf(rows: Row[]): { value: ScopeClaims } | { error: string } {
  const value: ScopeClaims = {};
  for (const row of rows) {
    const scope = row.scope.trim();
    if (!scope) return { error: 'Every row needs its scope.' };
    if (Object.hasOwn(value, scope)) return { error: `Scope "${scope}" is listed twice: give it one row.` };
    value[scope] = row.claims;
  }
  const parsed = ScopeClaimsSchema.safeParse(value);
  if (parsed.success) return { value: parsed.data };
  const issue = parsed.error.issues[0];
  return { error: `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid'}` };
}

/** Custom scopes that release user claims, for every client (claim mapping's per-scope part). */
export function ScopeClaimsForm({ settings }: { settings: Settings }) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(settings.scope_claims));
  const save = useAdminMutation('settings.update', { success: 'Scope claims saved' });
  const result = scopeClaimsOf(rows);
  const dirty = plain(rows) !== plain(rowsOf(settings.scope_claims));
  const change = (index: number, patch: Partial<Row>) =>
    setRows(rows.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        if (dirty && 'value' in result) save.mutate({ scope_claims: result.value });
      }}
    >
      <Stack>
        <Text size="sm" c="dimmed">
          A claim listed here reaches a token (ID, access, userinfo, introspection) only when one of its
          scopes is granted, for every client: scope <code>orders</code> releases <code>department</code>.
          Other custom claims go into every token as before; standard scopes (profile, email, …) keep their
          OIDC claims.
        </Text>
        {rows.map((row, index) => (
          <Group
            key={row.id}
            align="flex-end"
            wrap="nowrap"
            role="group"
            aria-label={`Scope claims ${index + 1}`}
          >
            <TextInput
              label="Scope"
              placeholder="orders"
              value={row.scope}
              onChange={(event) => change(index, { scope: event.currentTarget.value })}
              w={200}
            />
            <TagsInput
              label="Releases user claims"
              placeholder="department"
              value={row.claims}
              onChange={(claims) => change(index, { claims })}
              splitChars={[' ', ',']}
              style={{ flex: 1 }}
            />
            <ActionIcon
              variant="subtle"
              color="gray"
              mb={6}
              aria-label={`Remove scope claims ${index + 1}`}
              onClick={() => setRows(rows.filter((_, i) => i !== index))}
            >
              <CloseIcon />
            </ActionIcon>
          </Group>
        ))}
        {'error' in result && rows.length > 0 && (
          <Text size="sm" c="red" role="alert">
            {result.error}
          </Text>
        )}
        <ErrorAlert title="Could not save the scope claims" error={save.error} />
        <Group>
          <Button
            variant="light"
            onClick={() => setRows([...rows, { id: nextRowId++, scope: '', claims: [] }])}
          >
            Add scope
          </Button>
          <Button type="submit" disabled={!dirty || 'error' in result} loading={save.isPending}>
            Save scope claims
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function ScopeClaimsSection() {
  const settings = useAdminQuery('settings.get');
  return (
    <Panel title="Scope claims">
      <QueryState query={settings} what="settings" />
      {settings.data && (
        <ScopeClaimsForm key={JSON.stringify(settings.data.scope_claims ?? {})} settings={settings.data} />
      )}
    </Panel>
  );
}
