import { Select, Stack, Text } from '@mantine/core';
import { useMemo } from 'react';
import { type IssuerSummary, PROFILE_LABELS, ROOT_ISSUER_ID } from '../../../../shared/issuers';
import { useAdminQuery } from '../../data/contract-queries';
import { useIssuerFallback, useSelectedIssuer, useSwitchIssuer } from '../../data/issuer-selection';
import { notifyError } from '../../lib/errors';

/** What the switcher shows before the list arrives: the root issuer is always there. */
const ROOT_ONLY = [{ value: ROOT_ISSUER_ID, label: 'Root issuer' }];

/** The root issuer first (it is named by its role, not by its display name), then the others. */
function optionLabel(issuer: IssuerSummary): string {
  return issuer.id === ROOT_ISSUER_ID ? 'Root issuer' : issuer.display_name;
}

/**
 * The header's issuer switcher: every page shows the selected issuer's users, clients, tokens and
 * settings. Each option names its provider profile, small, under the issuer's name.
 */
export function IssuerSwitcher() {
  const issuers = useAdminQuery('issuers.list');
  const selected = useSelectedIssuer();
  const switchTo = useSwitchIssuer();
  useIssuerFallback(issuers);
  const byId = useMemo(
    () => new Map((issuers.data ?? []).map((issuer) => [issuer.id, issuer])),
    [issuers.data],
  );
  const data = issuers.data?.map((issuer) => ({ value: issuer.id, label: optionLabel(issuer) })) ?? ROOT_ONLY;
  return (
    <Select
      aria-label="Current issuer"
      size="sm"
      w={200}
      data={data}
      value={selected}
      allowDeselect={false}
      checkIconPosition="right"
      onChange={(id) => {
        if (id) switchTo(id).catch((error: unknown) => notifyError(error, 'Could not switch issuers'));
      }}
      renderOption={({ option }) => {
        const profile = byId.get(option.value)?.profile;
        return (
          <Stack gap={0}>
            <Text size="sm">{option.label}</Text>
            {profile && (
              <Text size="xs" c="dimmed">
                {PROFILE_LABELS[profile].label}
              </Text>
            )}
          </Stack>
        );
      }}
    />
  );
}
