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
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ROOT_ISSUER_ID } from '../../../../../shared/issuers';
import type { EngineEvent, Token, TokenKind } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import {
  ClientAndUserFilters,
  TokenKindFilter,
  useClientAndUserFilter,
} from '../../../components/FilterSelect';
import { QueryState } from '../../../components/QueryState';
import { useAdminQuery } from '../../../data/contract-queries';
import { useSelectedIssuer } from '../../../data/issuer-selection';
import { LiveRateNote } from '../../../data/LiveRate';
import { useNow } from '../../../data/now';
import { notifySuccess } from '../../../lib/errors';
import { AllIssuersSwitch } from '../../issuers/every-issuer';
import { TokenDrawer } from '../../tokens/TokenDrawer';
import { LabIntro } from '../LabIntro';
import { ClockChanges, KeyChanges } from './KeyChanges';
import { Legend } from './Legend';
import { layoutTimeline, planLayout, type TimelineLayout } from './layout';
import { complete } from './layout-state';
import type { TimelineMatch } from './live-plan';
import { usePalette } from './palette';
import {
  clampSpan,
  fitView,
  followView,
  panView,
  RANGE_PRESETS,
  type RangePreset,
  recentViewOf,
  span,
  type TimeView,
  zoomView,
} from './scale';
import { type RowHeightMode, TimelineCanvas } from './TimelineCanvas';
import { useTimelineData } from './timeline-data';
import type { TokenHole } from './token-window';
import { shownRowOf, windowLayout } from './window';

const ROW_MODE_LABELS: Record<RowHeightMode, string> = {
  comfortable: 'Comfortable',
  compact: 'Compact',
  fit: 'All rows',
};

/** Followed with a fixed width, followed with the width that fits recent tokens ("Recent"), or fixed. */
type ViewState = { follow: true; width: number | 'recent' } | { follow: false; view: TimeView };

/** Issuer id → display name, when every issuer's rows are drawn (their gutter labels name it). */
function useIssuerNames(every: boolean): ReadonlyMap<string, string> | null {
  const issuers = useAdminQuery('issuers.list', undefined, { enabled: every });
  return useMemo(
    () => (every && issuers.data ? new Map(issuers.data.map((i) => [i.id, i.display_name])) : null),
    [every, issuers.data],
  );
}

/**
 * Tokens whose `issuer` is its display name, for the labels; unchanged for one issuer's timeline. Each
 * token's copy is kept (`named`, for one map of names), so a live round's unchanged tokens stay the
 * same objects and the layout follows it incrementally.
 */
function withIssuerNames(
  tokens: readonly Token[],
  names: ReadonlyMap<string, string> | null,
  named: WeakMap<Token, Token>,
): readonly Token[] {
  if (!names) return tokens;
  return tokens.map((token) => {
    let copy = named.get(token);
    if (!copy) {
      copy = { ...token, issuer: names.get(token.issuer ?? ROOT_ISSUER_ID) ?? token.issuer };
      named.set(token, copy);
    }
    return copy;
  });
}

const NO_TOKENS: readonly Token[] = [];
const NO_EVENTS: readonly EngineEvent[] = [];

const EMPTY_LAYOUT = layoutTimeline(NO_TOKENS, NO_EVENTS);
/** Layouts (full, or a live round) of more tokens than this run in slices of SLICE_MS between frames. */
const SLICED_FROM = 20_000;
const SLICE_MS = 8;

/**
 * The layout of what is held, recomputed when the tokens or events change (never per frame): from the
 * last layout (`planLayout`), so a live round lays out only the families it touched. A full layout
 * (the first load, a reload) of many tokens runs in slices, the last layout shown meanwhile; the
 * rounds that come while it runs are applied to its result once it is done.
 */
function useTimelineLayout(match: TimelineMatch, every: boolean) {
  const names = useIssuerNames(every);
  // What the last layout took: live changes are applied less often when it is long.
  const layoutMs = useRef(0);
  const previous = useRef<TimelineLayout | null>(null);
  const running = useRef<Generator<void, TimelineLayout, void> | null>(null);
  const [finished, setFinished] = useState(0);
  // What the last round's render took, from here to its commit (the page and the canvas, the layout
  // unless sliced): with the layout's slices, the round's cost on the main thread that paces the next.
  const renderMs = useRef(0);
  const renderStarted = performance.now();
  const { tokens, events } = useTimelineData(match, every, () => layoutMs.current + renderMs.current);
  // biome-ignore lint/correctness/useExhaustiveDependencies: measured for the renders a round's data starts.
  useLayoutEffect(() => {
    renderMs.current = performance.now() - renderStarted;
  }, [tokens.data]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new map of names starts new copies.
  const named = useMemo(() => new WeakMap<Token, Token>(), [names]);
  const held = useMemo(
    () => withIssuerNames(tokens.data?.tokens ?? NO_TOKENS, names, named),
    [tokens.data, names, named],
  );
  // biome-ignore lint/correctness/useExhaustiveDependencies: `finished` applies what came during a sliced layout.
  const planned = useMemo(() => {
    const shown = previous.current ?? EMPTY_LAYOUT;
    if (running.current) return { layout: shown, steps: null, laying: true };
    const started = performance.now();
    const sliced = held.length >= SLICED_FROM;
    const plan = planLayout(previous.current, held, events.data ?? NO_EVENTS, sliced);
    let layout: TimelineLayout;
    if ('layout' in plan) layout = plan.layout;
    else if (!sliced) layout = complete(plan.steps);
    // A live round as well: its copy of the untouched rows alone would hold one frame for tens of ms.
    else return { layout: shown, steps: plan.steps, laying: !plan.round };
    previous.current = layout;
    layoutMs.current = performance.now() - started;
    return { layout, steps: null, laying: false };
  }, [held, events.data, finished]);
  // A layout in slices: a task of SLICE_MS at most each, so frames are drawn between them. New
  // data meanwhile does not restart it (under live load it would never end): it is applied after.
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
      running.current = null;
    },
    [],
  );
  useEffect(() => {
    const steps = planned.steps;
    if (!steps || running.current) return;
    running.current = steps;
    let spent = 0;
    const slice = () => {
      if (running.current !== steps) return;
      const started = performance.now();
      let step = steps.next();
      while (!step.done && performance.now() - started < SLICE_MS) step = steps.next();
      spent += performance.now() - started;
      if (!step.done) {
        timer.current = setTimeout(slice, 0);
        return;
      }
      running.current = null;
      previous.current = step.value;
      layoutMs.current = spent;
      setFinished((count) => count + 1);
    };
    timer.current = setTimeout(slice, 0);
  }, [planned]);
  return { tokens, events, layout: planned.layout, laying: planned.laying, layoutMs };
}

/** What the shaded spans left unread under a high rate hold (timeline-data.ts), for the summary. */
function holesNote(holes: readonly TokenHole[]): string {
  const spans = `${holes.length} shaded span${holes.length === 1 ? '' : 's'}`;
  const counts = holes.map((hole) => hole.skipped);
  const tokens = counts.every((count) => count !== null)
    ? `up to ${counts.reduce<number>((sum, count) => sum + (count ?? 0), 0).toLocaleString('en-US')} tokens`
    : 'tokens';
  return `${tokens} issued faster than the page follows not drawn, in ${spans}; drawn once the rate falls`;
}

/** The heading and the page's explanation: no props, rendered once. */
const TimelineIntro = memo(function TimelineIntro() {
  return (
    <>
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
        moved. It updates live as tokens are issued; above 2,500 new tokens a second it draws the newest in
        steps and shades the spans it skipped, drawn once the rate falls.
      </LabIntro>
    </>
  );
});

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

  const match: TimelineMatch = { ...(kind ? { kind } : {}), ...clientAndUser.filter };
  const [every, setEvery] = useState(false);
  const { tokens, events, layout, laying, layoutMs } = useTimelineLayout(match, every);
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

  // The recent window reads every row: once per layout and second, not per zoom frame.
  const recent = useMemo(
    () => recentViewOf({ start: layout.rowStart, stop: layout.rowStop }, now),
    [layout, now],
  );
  const followed = (width: number | 'recent') => (width === 'recent' ? recent : followView(width, now));
  const followWidth = (width: number | 'recent') => span(followed(width));
  const view = state.follow ? followed(state.width) : state.view;
  // Only rows with something in the window: zoomed in, the others would be empty lines.
  const { start: viewStart, end: viewEnd } = view;
  const shown = useMemo(
    () => windowLayout(layout, { start: viewStart, end: viewEnd }),
    [layout, viewStart, viewEnd],
  );
  const selected = selectedId === null ? null : shownRowOf(shown, selectedId);
  const filtered = Boolean(kind || clientAndUser.clientId || clientAndUser.username);
  const introspectionCount = layout.introspections;

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

  // What a zoom or pan frame does not change is the same element each render: React skips it then.
  const { clientId, setClientId, username, setUsername } = clientAndUser;
  const filters = useMemo(
    () => (
      <Group align="flex-end" gap="sm">
        <TokenKindFilter value={kind} onChange={setKind} />
        <ClientAndUserFilters
          selection={{
            clientId,
            setClientId,
            username,
            setUsername,
            filter: { ...(clientId ? { client_id: clientId } : {}), ...(username ? { username } : {}) },
          }}
        />
        <AllIssuersSwitch checked={every} onChange={setEvery} />
      </Group>
    ),
    [kind, clientId, setClientId, username, setUsername, every],
  );
  const below = useMemo(
    () => (
      <>
        <KeyChanges changes={layout.keyChanges} />
        <ClockChanges changes={layout.clockChanges} />
        <Legend palette={palette} />
        <Text id="timeline-help" size="xs" c="dimmed">
          The wheel or a pinch over the bars zooms around the pointer (over the labels it scrolls the rows);
          Shift + wheel, a sideways swipe or dragging pans; the arrow keys move the selection, Enter opens the
          token, + and − zoom, ← and → pan.
        </Text>
        <TokenDrawer id={openId} onClose={() => setOpenId(null)} />
      </>
    ),
    [layout.keyChanges, layout.clockChanges, palette, openId],
  );

  return (
    <Stack>
      <TimelineIntro />
      {filters}
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
          <Tooltip label="Zoom in (+, or the wheel over the bars)">
            <ActionIcon variant="default" aria-label="Zoom in" onClick={() => zoom(0.5)}>
              +
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Zoom out (−, or the wheel over the bars)">
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
      {events.isError && <QueryState query={events} what="token and signing-key events" />}
      {tokens.data && laying && layout.rows.length === 0 && (
        <Text size="sm" c="dimmed">
          Laying out {tokens.data.tokens.length.toLocaleString('en-US')} tokens…
        </Text>
      )}
      {tokens.data && !(laying && layout.rows.length === 0) && (
        <Text size="sm" c="dimmed" aria-live="polite" data-testid="timeline-summary">
          {layout.rows.length} token{layout.rows.length === 1 ? '' : 's'} in {layout.families}{' '}
          {layout.families === 1 ? 'family' : 'families'} · {introspectionCount} introspection
          {introspectionCount === 1 ? '' : 's'}
          {tokens.data.truncated && ` · showing the newest ${layout.rows.length.toLocaleString('en-US')}`}
          {tokens.data.truncated &&
            tokens.data.total &&
            ` of ${tokens.data.total.exact ? '' : '≈ '}${tokens.data.total.count.toLocaleString('en-US')}`}
          {shown.hidden > 0 && ` · ${shown.hidden} with nothing in this window hidden`}
          {tokens.data.holes.length > 0 && ` · ${holesNote(tokens.data.holes)}`}
        </Text>
      )}
      <LiveRateNote />
      {laying && layout.rows.length === 0 ? null : tokens.data && layout.rows.length === 0 ? (
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
            layoutMs={layoutMs.current}
            holes={tokens.data.holes}
          />
        )
      )}
      {below}
    </Stack>
  );
}
