import {
  ActionIcon,
  Button,
  EmptyState,
  Group,
  SegmentedControl,
  Stack,
  Switch,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ROOT_ISSUER_ID } from '../../../../../shared/issuers';
import type { Token, TokenFilter, TokenKind } from '../../../../../shared/schemas';
import { adminApi } from '../../../api';
import { Choice, choiceOptions } from '../../../components/Choice';
import {
  ClientAndUserFilters,
  TokenKindFilter,
  useClientAndUserFilter,
} from '../../../components/FilterSelect';
import { QueryState } from '../../../components/QueryState';
import { useAdminQuery } from '../../../data/contract-queries';
import { eventMakesStale } from '../../../data/invalidation';
import { useSelectedIssuer } from '../../../data/issuer-selection';
import { useNow } from '../../../data/now';
import { notifySuccess } from '../../../lib/errors';
import { AllIssuersSwitch } from '../../issuers/every-issuer';
import { TokenDrawer } from '../../tokens/TokenDrawer';
import { LabIntro } from '../LabIntro';
import { createCoalescer } from './coalesce';
import { ClockChanges, KeyChanges } from './KeyChanges';
import { Legend } from './Legend';
import { layoutTimeline, windowLayout } from './layout';
import { usePalette } from './palette';
import {
  clampSpan,
  fitView,
  followView,
  panView,
  RANGE_PRESETS,
  type RangePreset,
  recentView,
  span,
  type TimeView,
  zoomView,
} from './scale';
import { type RowHeightMode, TimelineCanvas } from './TimelineCanvas';

/** tokens.list answers at most this many at once. */
const MAX_TOKENS = 10_000;
const ROW_MODE_LABELS: Record<RowHeightMode, string> = {
  comfortable: 'Comfortable',
  compact: 'Compact',
  fit: 'All rows',
};

/** Followed with a fixed width, followed with the width that fits recent tokens ("Recent"), or fixed. */
type ViewState = { follow: true; width: number | 'recent' } | { follow: false; view: TimeView };

/**
 * The timeline's own query root: LiveUpdates does not invalidate it (a burst of events would keep
 * cancelling and restarting a 10,000-token request); it refetches through a coalescer instead.
 */
const TIMELINE_ROOT = 'lab.timeline';
/** The signing-key stages drawn as lines across the rows. */
const KEY_EVENT_TYPES = ['key.staged', 'key.activated', 'key.rotated', 'key.retired'] as const;
/** Lines across the rows: signing-key stages, and settings changes (those that moved the provider clock). */
const LINE_EVENT_TYPES = [...KEY_EVENT_TYPES, 'settings.changed'] as const;

/** Issuer id → display name, when every issuer's rows are drawn (their gutter labels name it). */
function useIssuerNames(every: boolean): ReadonlyMap<string, string> | null {
  const issuers = useAdminQuery('issuers.list', undefined, { enabled: every });
  return useMemo(
    () => (every && issuers.data ? new Map(issuers.data.map((i) => [i.id, i.display_name])) : null),
    [every, issuers.data],
  );
}

/** Tokens whose `issuer` is its display name, for the labels; unchanged for one issuer's timeline. */
function withIssuerNames(tokens: Token[], names: ReadonlyMap<string, string> | null): Token[] {
  if (!names) return tokens;
  return tokens.map((token) => ({
    ...token,
    issuer: names.get(token.issuer ?? ROOT_ISSUER_ID) ?? token.issuer,
  }));
}

/** The lists the timeline reads, of the selected issuer or (`every`) of every issuer, each row naming its issuer. */
function timelineSource(every: boolean) {
  return every
    ? {
        tokens: adminApi.everyIssuer.tokens,
        events: adminApi.everyIssuer.events,
        live: adminApi.everyIssuer.subscribe,
      }
    : { tokens: adminApi.tokens.list, events: adminApi.events.list, live: adminApi.live.subscribe };
}

function useTimelineData(filter: TokenFilter, every: boolean) {
  const queryClient = useQueryClient();
  const source = timelineSource(every);
  const names = useIssuerNames(every);
  const tokens = useQuery({
    queryKey: [TIMELINE_ROOT, 'tokens', filter, every],
    queryFn: () => source.tokens(filter),
    placeholderData: (previous) => previous,
    // Thousands of tokens: comparing each refetch with the last, object by object, costs more than
    // it saves (the layout is recomputed anyway).
    structuralSharing: false,
  });
  // Marks come from the event log: introspection calls and reuse detections, by token id.
  const introspections = useQuery({
    queryKey: [TIMELINE_ROOT, 'events', 'token.introspected', every],
    queryFn: () => source.events({ type: 'token.introspected', limit: 5000 }),
    placeholderData: (previous) => previous,
  });
  const reuse = useQuery({
    queryKey: [TIMELINE_ROOT, 'events', 'token.reuse_detected', every],
    queryFn: () => source.events({ type: 'token.reuse_detected', limit: 5000 }),
    placeholderData: (previous) => previous,
  });
  // Uses drawn as ticks: userinfo calls (request events) and refreshes (the refresh token's use).
  const uses = useQuery({
    queryKey: [TIMELINE_ROOT, 'events', 'uses', every],
    queryFn: async () =>
      (
        await Promise.all([
          source.events({ type: 'request', endpoint: 'userinfo', limit: 5000 }),
          source.events({ type: 'token.refreshed', limit: 5000 }),
        ])
      ).flat(),
    placeholderData: (previous) => previous,
  });
  const keyEvents = useQuery({
    queryKey: [TIMELINE_ROOT, 'events', 'key', every],
    queryFn: async () =>
      (await Promise.all(LINE_EVENT_TYPES.map((type) => source.events({ type, limit: 1000 })))).flat(),
    placeholderData: (previous) => previous,
  });
  const size = useRef(0);
  size.current = tokens.data?.tokens.length ?? 0;

  // Live: every event that changes tokens triggers a refetch, never two at once, and at most once a
  // second for big lists.
  useEffect(() => {
    const coalescer = createCoalescer(
      () =>
        queryClient.refetchQueries({ queryKey: [TIMELINE_ROOT], type: 'active' }, { cancelRefetch: false }),
      () => (size.current > 2000 ? 1000 : 100),
    );
    const unsubscribe = source.live((event) => {
      const line = event.type.startsWith('key.') || event.type === 'settings.changed';
      const use = event.type === 'request' && event.data.endpoint === 'userinfo';
      if (eventMakesStale(event.type, 'tokens.list') || line || use) coalescer.trigger();
    });
    return () => {
      unsubscribe();
      coalescer.dispose();
    };
  }, [queryClient, source.live]);

  const layout = useMemo(
    () =>
      layoutTimeline(withIssuerNames(tokens.data?.tokens ?? [], names), [
        ...(introspections.data ?? []),
        ...(reuse.data ?? []),
        ...(uses.data ?? []),
        ...(keyEvents.data ?? []),
      ]),
    [tokens.data, introspections.data, reuse.data, uses.data, keyEvents.data, names],
  );
  return { tokens, introspections, reuse, uses, keyEvents, layout };
}

export function TimelinePage() {
  const now = useNow();
  const palette = usePalette();
  const [kind, setKind] = useState<TokenKind | null>(null);
  const clientAndUser = useClientAndUserFilter();
  const [state, setState] = useState<ViewState>({ follow: true, width: 'recent' });
  const [preset, setPreset] = useState<RangePreset | 'recent' | 'fit' | ''>('recent');
  const [rowMode, setRowMode] = useState<RowHeightMode>('comfortable');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [openId, setOpenId] = useState<string | null>(null);
  const [presenter, setPresenter] = useState(false);

  const filter: TokenFilter = {
    ...(kind ? { kind } : {}),
    ...clientAndUser.filter,
    limit: MAX_TOKENS,
  };
  const [every, setEvery] = useState(false);
  const { tokens, introspections, reuse, uses, keyEvents, layout } = useTimelineData(filter, every);
  const selectedIssuer = useSelectedIssuer();
  // Every issuer's rows: a token of another issuer opens once that issuer is shown (its drawer asks it).
  const issuerOf = (id: string) =>
    tokens.data?.tokens.find((token) => token.id === id)?.issuer ?? ROOT_ISSUER_ID;
  const open = (id: string | null) => {
    if (id !== null && every && issuerOf(id) !== selectedIssuer) {
      notifySuccess('That token is of another issuer: pick it in the header to open its details.');
      return;
    }
    setOpenId(id);
  };

  const followed = (width: number | 'recent') =>
    width === 'recent' ? recentView(layout.rows, now) : followView(width, now);
  const followWidth = (width: number | 'recent') => span(followed(width));
  const view = state.follow ? followed(state.width) : state.view;
  // Only rows with something in the window: zoomed in, the others would be empty lines.
  const { start: viewStart, end: viewEnd } = view;
  const shown = useMemo(
    () => windowLayout(layout, { start: viewStart, end: viewEnd }),
    [layout, viewStart, viewEnd],
  );
  const selected = selectedId === null ? null : (shown.rowById.get(selectedId) ?? null);
  const filtered = Boolean(kind || clientAndUser.clientId || clientAndUser.username);
  const total = tokens.data?.total ?? 0;
  const introspectionCount = layout.marks.filter((m) => m.type === 'introspected').length;

  const zoom = (factor: number, anchor = (view.start + view.end) / 2) => {
    setPreset('');
    setState((current) =>
      current.follow
        ? { follow: true, width: clampSpan(followWidth(current.width) * factor) }
        : { follow: false, view: zoomView(current.view, factor, anchor) },
    );
  };
  const pan = (delta: number) => {
    setPreset('');
    setState((current) => ({
      follow: false,
      view: panView(current.follow ? followed(current.width) : current.view, delta),
    }));
  };
  const choosePreset = (value: string) => {
    if (value === 'fit') {
      setState({ follow: false, view: fitView(layout.min, layout.max, now) });
      setPreset('fit');
      return;
    }
    if (value === 'recent') {
      setState({ follow: true, width: 'recent' });
      setPreset('recent');
      return;
    }
    const found = RANGE_PRESETS.find((p) => p.value === value);
    if (!found) return;
    setState({ follow: true, width: found.span });
    setPreset(found.value);
  };

  return (
    <Stack>
      <Title order={2}>Token timeline</Title>
      <LabIntro title="Every token, from issue to expiry">
        Each bar is one token on a shared time axis, coloured by its state. Tokens of one sign-in (a family)
        stay together, and a refresh draws a connector from the used refresh token to the tokens it produced.
        A token exchange (RFC 8693) draws its token under the subject token, with a dashed connector and a
        diamond at the moment of the exchange; hover it to see who acted for whom and for which audience. A
        revoked or rotated token’s bar stops at that moment. Ticks mark its uses (userinfo calls,
        introspections, refreshes); other marks show revocation and refresh-token reuse detection. By default
        the window fits recent tokens and follows now; rows with nothing in the window are hidden. Vertical
        lines mark signing-key changes: a key staged (published in the JWKS), activated (it signs every token
        after the line) and retired (gone from the JWKS); dotted cyan lines where the provider clock was
        moved. It updates live as tokens are issued.
      </LabIntro>
      <Group align="flex-end" gap="sm">
        <TokenKindFilter value={kind} onChange={setKind} />
        <ClientAndUserFilters selection={clientAndUser} />
        <AllIssuersSwitch checked={every} onChange={setEvery} />
      </Group>
      <Group gap="sm" justify="space-between">
        <Group gap="xs">
          <SegmentedControl
            aria-label="Time range"
            size="xs"
            value={preset}
            onChange={choosePreset}
            data={[
              { value: 'recent', label: 'Recent' },
              ...RANGE_PRESETS.map((p) => ({ value: p.value, label: p.label })),
              { value: 'fit', label: 'Fit all' },
            ]}
          />
          <Tooltip label="Zoom in (+, or Ctrl + wheel)">
            <ActionIcon variant="default" aria-label="Zoom in" onClick={() => zoom(0.5)}>
              +
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Zoom out (−, or Ctrl + wheel)">
            <ActionIcon variant="default" aria-label="Zoom out" onClick={() => zoom(2)}>
              −
            </ActionIcon>
          </Tooltip>
          <Button size="xs" variant="default" onClick={() => pan(-span(view) / 3)}>
            Earlier
          </Button>
          <Button size="xs" variant="default" onClick={() => pan(span(view) / 3)}>
            Later
          </Button>
          <Switch
            label="Follow now"
            checked={state.follow}
            onChange={(event) =>
              setState(
                event.currentTarget.checked
                  ? { follow: true, width: preset === 'recent' ? 'recent' : span(view) }
                  : { follow: false, view: { ...view } },
              )
            }
          />
        </Group>
        <Group gap="sm">
          <Tooltip label="For talks: larger type, the window fits recent tokens and follows now, the newest sign-in highlighted">
            <Switch
              label="Presenter mode"
              checked={presenter}
              onChange={(event) => {
                const on = event.currentTarget.checked;
                setPresenter(on);
                if (on) {
                  setState({ follow: true, width: 'recent' });
                  setPreset('recent');
                }
              }}
            />
          </Tooltip>
          <Choice
            aria-label="Row height"
            size="xs"
            value={rowMode}
            onChange={setRowMode}
            data={choiceOptions(ROW_MODE_LABELS)}
          />
        </Group>
      </Group>
      <QueryState query={tokens} what="tokens" />
      {introspections.isError && <QueryState query={introspections} what="introspection events" />}
      {reuse.isError && <QueryState query={reuse} what="reuse-detection events" />}
      {uses.isError && <QueryState query={uses} what="userinfo and refresh events" />}
      {keyEvents.isError && <QueryState query={keyEvents} what="signing-key events" />}
      {tokens.data && (
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="timeline-summary">
          {layout.rows.length} token{layout.rows.length === 1 ? '' : 's'} in {layout.families}{' '}
          {layout.families === 1 ? 'family' : 'families'} · {introspectionCount} introspection
          {introspectionCount === 1 ? '' : 's'}
          {total > layout.rows.length && ` · showing the newest ${layout.rows.length} of ${total}`}
          {shown.hidden > 0 && ` · ${shown.hidden} with nothing in this window hidden`}
        </Text>
      )}
      {tokens.data && layout.rows.length === 0 ? (
        <EmptyState
          title={filtered ? 'No token matches these filters' : 'No tokens to draw yet'}
          description={
            filtered
              ? 'Clear a filter to see more.'
              : 'Mint one on the Mint page, run a flow in the Flow playground, or call the token endpoint: bars appear here the moment tokens are issued.'
          }
        />
      ) : (
        tokens.data && (
          <TimelineCanvas
            layout={shown}
            totals={{ rows: layout.rows.length, marks: layout.marks.length }}
            view={view}
            now={now}
            palette={palette}
            rowMode={rowMode}
            selected={selected}
            onSelect={(index) => setSelectedId(index === null ? null : (shown.rows[index]?.token.id ?? null))}
            onOpen={(index) => open(shown.rows[index]?.token.id ?? null)}
            onZoom={zoom}
            onPan={pan}
            presenter={presenter}
          />
        )
      )}
      <KeyChanges changes={layout.keyChanges} />
      <ClockChanges changes={layout.clockChanges} />
      <Legend palette={palette} />
      <Text id="timeline-help" size="xs" c="dimmed">
        Ctrl (⌘) + wheel or a pinch zooms around the pointer; Shift + wheel, a sideways swipe or dragging
        pans; the arrow keys move the selection, Enter opens the token, + and − zoom, ← and → pan.
      </Text>
      <TokenDrawer id={openId} onClose={() => setOpenId(null)} />
    </Stack>
  );
}
