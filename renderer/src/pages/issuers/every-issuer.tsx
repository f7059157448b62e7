import { Badge, type MantineColor, Switch } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import type { AdminInput } from '../../../../shared/contract';
import { ALL_ISSUERS, ROOT_ISSUER_ID } from '../../../../shared/issuers';
import { gapOf, gapTypes } from '../../../../shared/live-gap';
import { adminApi } from '../../api';
import { useAdminQuery } from '../../data/contract-queries';
import { eventMakesStale } from '../../data/invalidation';
import { useSelectedIssuer } from '../../data/issuer-selection';

/**
 * "All issuers" in the list views: one list merged from every issuer (the engine's scope
 * ALL_ISSUERS), each row naming its issuer by a coloured badge. The Tokens view pages through it
 * with the every-issuer cursors of tokens.list (pages/tokens/useTokenList.tsx).
 */

/** One colour per issuer, by its place in the list (the root issuer first); it repeats past ten. */
const ISSUER_COLORS: readonly MantineColor[] = [
  'gray',
  'blue',
  'grape',
  'teal',
  'orange',
  'cyan',
  'pink',
  'lime',
  'violet',
  'yellow',
];

/** Whether the workspace has more than the root issuer: only then is "All issuers" offered. */
export function useHasOtherIssuers(): boolean {
  const issuers = useAdminQuery('issuers.list');
  return (issuers.data?.length ?? 0) > 1;
}

/** The switch that turns a list view into every issuer's. */
export function AllIssuersSwitch({
  checked,
  onChange,
}: {
  checked: boolean;
  onChange: (on: boolean) => void;
}) {
  if (!useHasOtherIssuers()) return null;
  return (
    <Switch
      label="All issuers"
      checked={checked}
      onChange={(event) => onChange(event.currentTarget.checked)}
      mb={8}
    />
  );
}

/** A row's issuer: its display name, in the issuer's colour. */
export function IssuerBadge({ id }: { id: string | undefined }) {
  const issuers = useAdminQuery('issuers.list');
  const issuerId = id ?? ROOT_ISSUER_ID;
  const index = issuers.data?.findIndex((issuer) => issuer.id === issuerId) ?? -1;
  const name = index >= 0 ? issuers.data?.[index]?.display_name : issuerId;
  return (
    <Badge
      variant="light"
      color={ISSUER_COLORS[Math.max(index, 0) % ISSUER_COLORS.length]}
      tt="none"
      miw="max-content"
    >
      {name}
    </Badge>
  );
}

/**
 * Refetches an every-issuer list on the other issuers' events, which the app's live stream does not
 * pass on (the selected issuer's make it stale already: the list is keyed under its method).
 */
function useOtherIssuersMakeStale(method: 'events.list', enabled: boolean): void {
  const queryClient = useQueryClient();
  const selected = useSelectedIssuer();
  useEffect(() => {
    if (!enabled) return;
    // Events come in bursts (a token request issues three tokens): one refetch for each burst.
    let timer: ReturnType<typeof setTimeout> | null = null;
    // Batches, not single events: under heavy load a batch leaves request-rate events out and says so
    // in its gap, and a token revoked among thousands issued must still make the list stale.
    const isOther = (issuer: string) => issuer !== selected;
    const unsubscribe = adminApi.everyIssuer.subscribeBatch(({ events, gap }) => {
      const otherGap = gapOf(gap, isOther);
      const stale =
        events.some(
          (event) => isOther(event.issuer ?? ROOT_ISSUER_ID) && eventMakesStale(event.type, method),
        ) ||
        (otherGap !== null && [...gapTypes(otherGap)].some((type) => eventMakesStale(type, method)));
      if (!stale) return;
      timer ??= setTimeout(() => {
        timer = null;
        void queryClient.invalidateQueries({ queryKey: [method] });
      }, 50);
    });
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
    };
  }, [enabled, selected, method, queryClient]);
}

/**
 * Every issuer's newest events, each naming its issuer. Event ids count one issuer's events, so this
 * list has no older pages (the engine refuses before_id and after_id for it).
 */
export function useEveryIssuerEvents(filter: AdminInput<'events.list'>, enabled: boolean) {
  useOtherIssuersMakeStale('events.list', enabled);
  const { before_id: _before, after_id: _after, ...newest } = filter;
  return useQuery({
    queryKey: ['events.list', newest, ALL_ISSUERS],
    queryFn: () => adminApi.everyIssuer.events(newest),
    enabled,
    placeholderData: (previous) => previous,
  });
}

/** Whether a row of an every-issuer list is of another issuer than the selected one. */
export function isElsewhere(every: boolean, row: { issuer?: string | undefined }, selected: string): boolean {
  return every && (row.issuer ?? ROOT_ISSUER_ID) !== selected;
}
