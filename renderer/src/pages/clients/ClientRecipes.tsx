import { Badge, Button, Code, Group, Select, Stack, Text, Tooltip } from '@mantine/core';
import { useMemo, useState } from 'react';
import { RECIPE_KIND_LABELS, RECIPES, recipesFor, toRecipeClient } from '../../../../shared/recipes';
import type { Client } from '../../../../shared/schemas';
import { CopyButton } from '../../components/CopyButton';
import { SECRET_MASK } from '../../lib/snippet';

interface ClientRecipesProps {
  client: Client;
  issuer: string;
  /** The local CA's certificate, when the provider serves https. */
  caFile?: string | undefined;
}

/**
 * The recipes (shared/recipes) rendered with this client's values, the ones that fit it first. The
 * secret goes in only where the drawer already shows it: a confidential client's own secret, hidden on
 * screen until asked for, as the secret field and the configuration snippet hide it; Copy copies it.
 */
export function ClientRecipes({ client, issuer, caFile }: ClientRecipesProps) {
  const subject = useMemo(() => toRecipeClient(client), [client]);
  const fitting = useMemo(() => recipesFor(subject), [subject]);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const recipe = RECIPES.find((candidate) => candidate.id === selectedId) ?? fitting[0] ?? RECIPES[0];
  const files = useMemo(
    () => recipe?.render({ issuer, client: subject, ...(caFile ? { caFile } : {}) }) ?? [],
    [recipe, issuer, subject, caFile],
  );
  const [revealed, setRevealed] = useState(false);
  if (!recipe) return null;
  const secret = client.client_secret;
  const hasSecret = Boolean(secret) && files.some((file) => file.content.includes(secret as string));
  const onScreen = (content: string) =>
    hasSecret && !revealed ? content.split(secret as string).join(SECRET_MASK) : content;

  const option = (candidate: (typeof RECIPES)[number]) => ({
    value: candidate.id,
    label: `${candidate.title} · ${RECIPE_KIND_LABELS[candidate.kind]}`,
  });
  const others = RECIPES.filter((candidate) => !fitting.includes(candidate));
  const data = [
    { group: `For ${client.client_id}`, items: fitting.map(option) },
    ...(others.length ? [{ group: 'Other stacks', items: others.map(option) }] : []),
  ];

  return (
    <Stack gap="sm">
      <Select
        label="Stack"
        data={data}
        value={recipe.id}
        onChange={(value) => value && setSelectedId(value)}
        allowDeselect={false}
        searchable
        maxDropdownHeight={320}
      />
      <Group gap="xs" wrap="nowrap" align="flex-start">
        {recipe.exercisedBy ? (
          <Tooltip label={`Rendered and run with the real client by ${recipe.exercisedBy}`} withArrow>
            <Badge color="teal" variant="light" style={{ flexShrink: 0 }}>
              Verified by the interop suite
            </Badge>
          </Tooltip>
        ) : (
          <Tooltip
            label="Written from the project's documentation; the interop suite does not run it"
            withArrow
          >
            <Badge color="gray" variant="light" style={{ flexShrink: 0 }}>
              Not exercised here
            </Badge>
          </Tooltip>
        )}
        <Text size="sm" c="dimmed">
          {recipe.summary}
        </Text>
      </Group>
      {hasSecret && (
        <Group>
          <Button size="xs" variant="subtle" aria-pressed={revealed} onClick={() => setRevealed((v) => !v)}>
            {revealed ? 'Hide secret' : 'Show secret'}
          </Button>
        </Group>
      )}
      {files.map((file) => (
        <Stack key={file.name} gap={4}>
          <Group justify="space-between">
            <Text size="sm" ff="monospace" fw={600}>
              {file.name}
            </Text>
            <CopyButton value={file.content} label={`Copy ${file.name}`} size="xs" />
          </Group>
          <Code
            block
            aria-label={`Recipe file ${file.name}`}
            style={{ whiteSpace: 'pre', overflowX: 'auto', maxHeight: 420 }}
          >
            {onScreen(file.content)}
          </Code>
        </Stack>
      ))}
    </Stack>
  );
}
