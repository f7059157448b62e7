import { Badge, Box, Group, Paper, Stack, Text } from '@mantine/core';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import { TokenStateBadge } from '../../../components/TokenStateBadge';
import { formatLocal, formatRelative } from '../../../lib/time';
import { AXIS_HEIGHT, drawTimeline, type Geometry, GUTTER_WIDTH, hitTest, type Palette } from './draw';
import { describeRow, exchangeOf, stateAt } from './layout';
import { span, type TimeView, xToTime } from './scale';
import type { TokenHole } from './token-window';
import type { WindowedLayout } from './window';

export type RowHeightMode = 'comfortable' | 'compact' | 'fit';
const ROW_HEIGHTS: Record<Exclude<RowHeightMode, 'fit'>, number> = { comfortable: 22, compact: 6 };
/** Presenter mode: taller comfortable rows for its larger type. */
const PRESENTER_ROW = 30;

const NO_HOLES: readonly TokenHole[] = [];

interface TimelineCanvasProps {
  /** The rows with something in the view (windowLayout), and the whole layout. */
  layout: WindowedLayout;
  view: TimeView;
  now: number;
  palette: Palette;
  rowMode: RowHeightMode;
  /** Index of the selected row, or null. */
  selected: number | null;
  onSelect: (index: number | null) => void;
  onOpen: (index: number) => void;
  /** Zoom by a factor (< 1 zooms in) around a time. */
  onZoom: (factor: number, anchor: number) => void;
  onPan: (deltaMs: number) => void;
  /** Larger type and rows, the newest family highlighted. */
  presenter?: boolean;
  height?: number;
  /** What the layout of the current data took (shown as data-layout-ms, for measuring). */
  layoutMs?: number;
  /** Spans whose tokens were not read under a high rate, shaded across the rows. */
  holes?: readonly TokenHole[];
}

function rowHeightFor(mode: RowHeightMode, rows: number, plotHeight: number, presenter: boolean): number {
  const comfortable = presenter ? PRESENTER_ROW : ROW_HEIGHTS.comfortable;
  if (mode === 'comfortable') return comfortable;
  if (mode !== 'fit') return ROW_HEIGHTS[mode];
  return rows ? Math.min(comfortable, plotHeight / rows) : comfortable;
}

/**
 * The timeline's single <canvas>: kept the size of the viewport (sticky inside a scroller whose
 * spacer is as tall as all rows), redrawn in one animation frame whenever anything changes.
 */
export function TimelineCanvas({
  layout,
  view,
  now,
  palette,
  rowMode,
  selected,
  onSelect,
  onOpen,
  onZoom,
  onPan,
  presenter = false,
  height: maxHeight = 560,
  layoutMs,
  holes = NO_HOLES,
}: TimelineCanvasProps) {
  const scrollerRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [scrollTop, setScrollTop] = useState(0);
  const [hover, setHover] = useState<{ index: number; x: number; y: number } | null>(null);
  const drag = useRef<{ x: number; moved: boolean } | null>(null);

  // As tall as the rows need, between a readable minimum and the maximum (then it scrolls).
  const fixedRow = rowMode === 'fit' ? 0 : rowHeightFor(rowMode, 0, 0, presenter);
  const natural = rowMode === 'fit' ? maxHeight : AXIS_HEIGHT + layout.rows.length * fixedRow + 2;
  const height = Math.round(Math.min(maxHeight, Math.max(200, natural)));
  const rowHeight = rowHeightFor(rowMode, layout.rows.length, height - AXIS_HEIGHT, presenter);
  // Rows too thin for a label each still get their family's (drawLabels).
  const gutter = width > 0 ? Math.min(presenter ? GUTTER_WIDTH * 1.35 : GUTTER_WIDTH, width * 0.3) : 0;
  const geometry: Geometry = { view, width, height, gutter, axis: AXIS_HEIGHT, rowHeight, scrollTop };
  const contentHeight = AXIS_HEIGHT + layout.rows.length * rowHeight;

  // Latest inputs for the frame callback and the native wheel listener.
  const inputs = { geometry, layout, now, palette, selected, presenter, holes, hover: hover?.index ?? null };
  const latest = useRef(inputs);
  latest.current = inputs;
  const handlers = useRef({ onZoom, onPan });
  handlers.current = { onZoom, onPan };

  const frame = useRef<number | null>(null);
  const draw = useCallback(() => {
    frame.current = null;
    const canvas = canvasRef.current;
    const {
      geometry: g,
      layout: l,
      now: n,
      palette: p,
      selected: s,
      hover: h,
      presenter,
      holes,
    } = latest.current;
    if (!canvas || g.width <= 0) return;
    const dpr = window.devicePixelRatio || 1;
    const pixelWidth = Math.round(g.width * dpr);
    const pixelHeight = Math.round(g.height * dpr);
    if (canvas.width !== pixelWidth) canvas.width = pixelWidth;
    if (canvas.height !== pixelHeight) canvas.height = pixelHeight;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const started = performance.now();
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const drawn = drawTimeline(ctx, {
      ...g,
      layout: l,
      now: n,
      palette: p,
      selected: s,
      hovered: h,
      presenter,
      holes,
    });
    const ms = performance.now() - started;
    // Exposed for tests and curious developers: how much was drawn and how long it took.
    canvas.dataset.drawn = String(drawn);
    canvas.dataset.drawMs = ms.toFixed(2);
    canvas.dataset.draws = String(Number(canvas.dataset.draws ?? '0') + 1);
  }, []);
  const schedule = useCallback(() => {
    frame.current ??= requestAnimationFrame(draw);
  }, [draw]);
  useEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
      frame.current = null;
    },
    [],
  );

  // Redraw after every render that changed an input (cheap to schedule; one frame at most).
  useLayoutEffect(() => {
    schedule();
  });

  useEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const observer = new ResizeObserver(() => setWidth(scroller.clientWidth));
    observer.observe(scroller);
    setWidth(scroller.clientWidth);
    return () => observer.disconnect();
  }, []);

  // Wheel over the plot zooms around the pointer (a trackpad pinch too); Shift + wheel or a horizontal
  // swipe pans; over the gutter of labels the wheel scrolls the rows (as do the scrollbar and the
  // arrow keys). Native listener: React's is passive.
  useEffect(() => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const onWheel = (event: WheelEvent) => {
      const { geometry: g } = latest.current;
      const plotWidth = g.width - g.gutter;
      if (plotWidth <= 0) return;
      const rect = scroller.getBoundingClientRect();
      const x = event.clientX - rect.left - g.gutter;
      const horizontal = event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY);
      if (horizontal) {
        event.preventDefault();
        const delta = event.shiftKey && event.deltaX === 0 ? event.deltaY : event.deltaX;
        handlers.current.onPan((delta * span(g.view)) / plotWidth);
      } else if (x >= 0 || event.ctrlKey || event.metaKey) {
        event.preventDefault();
        // Lines or pages (a mouse wheel on some systems) count as 40 pixels each.
        const pixels = event.deltaMode === 0 ? event.deltaY : event.deltaY * 40;
        const anchor = xToTime(Math.max(0, x), g.view, plotWidth);
        handlers.current.onZoom(Math.exp(pixels * 0.0015), anchor);
      }
    };
    scroller.addEventListener('wheel', onWheel, { passive: false });
    return () => scroller.removeEventListener('wheel', onWheel);
  }, []);

  const pointAt = (event: { clientX: number; clientY: number }) => {
    const rect = canvasRef.current?.getBoundingClientRect();
    return rect ? { x: event.clientX - rect.left, y: event.clientY - rect.top } : { x: -1, y: -1 };
  };

  const scrollRowIntoView = (index: number) => {
    const scroller = scrollerRef.current;
    if (!scroller) return;
    const top = index * rowHeight;
    const visible = height - AXIS_HEIGHT;
    if (top < scroller.scrollTop) scroller.scrollTop = top;
    else if (top + rowHeight > scroller.scrollTop + visible) scroller.scrollTop = top + rowHeight - visible;
  };

  const onKeyDown = (event: React.KeyboardEvent) => {
    const count = layout.rows.length;
    const step = span(view) * 0.1;
    const move = (index: number) => {
      const next = Math.max(0, Math.min(count - 1, index));
      onSelect(next);
      scrollRowIntoView(next);
    };
    const centre = (view.start + view.end) / 2;
    if (count === 0) return;
    switch (event.key) {
      case 'ArrowDown':
        move(selected === null ? 0 : selected + 1);
        break;
      case 'ArrowUp':
        move(selected === null ? 0 : selected - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(count - 1);
        break;
      case 'Enter':
      case ' ':
        if (selected !== null) onOpen(selected);
        break;
      case 'ArrowLeft':
        onPan(-step);
        break;
      case 'ArrowRight':
        onPan(step);
        break;
      case '+':
      case '=':
        onZoom(0.8, centre);
        break;
      case '-':
        onZoom(1.25, centre);
        break;
      case 'Escape':
        onSelect(null);
        break;
      default:
        return;
    }
    event.preventDefault();
  };

  const hovered = hover ? layout.rows[hover.index] : undefined;
  const hoveredExchange = hovered ? exchangeOf(layout.whole, hovered) : null;
  const selectedRow = selected === null ? undefined : layout.rows[selected];
  const selectedExchange = selectedRow ? exchangeOf(layout.whole, selectedRow) : null;
  const plotWidth = Math.max(1, width - gutter);

  return (
    <Box pos="relative">
      <div
        ref={scrollerRef}
        onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}
        style={{
          height,
          overflowY: 'auto',
          overflowX: 'hidden',
          border: '1px solid var(--mantine-color-default-border)',
          borderRadius: 'var(--mantine-radius-sm)',
        }}
      >
        <div style={{ height: Math.max(contentHeight, height), position: 'relative' }}>
          <canvas
            ref={canvasRef}
            tabIndex={0}
            aria-label="Token timeline"
            aria-describedby="timeline-help timeline-selection"
            data-testid="timeline-canvas"
            data-bar-count={layout.whole.rows.length}
            data-row-count={layout.rows.length}
            data-hidden-count={layout.hidden}
            data-mark-count={layout.whole.marks.length}
            data-use-mark-count={layout.whole.useMarks}
            data-link-count={layout.whole.links.length}
            data-exchange-count={layout.whole.exchanges}
            data-row-height={rowHeight.toFixed(3)}
            data-axis-height={AXIS_HEIGHT}
            data-gutter={gutter}
            data-presenter={presenter}
            data-view-start={Math.round(view.start)}
            data-view-end={Math.round(view.end)}
            data-layout-ms={layoutMs?.toFixed(1)}
            data-hole-count={holes.length}
            onKeyDown={onKeyDown}
            onPointerDown={(event) => {
              drag.current = { x: event.clientX, moved: false };
              event.currentTarget.setPointerCapture?.(event.pointerId);
            }}
            onPointerMove={(event) => {
              const d = drag.current;
              if (d && event.buttons === 1) {
                const dx = event.clientX - d.x;
                if (Math.abs(dx) > 3 || d.moved) {
                  d.moved = true;
                  d.x = event.clientX;
                  onPan((-dx * span(view)) / plotWidth);
                  return;
                }
              }
              const point = pointAt(event);
              const index = hitTest(geometry, layout, point.x, point.y);
              setHover((previous) =>
                index === null
                  ? null
                  : previous?.index === index &&
                      Math.abs(previous.x - point.x) < 40 &&
                      Math.abs(previous.y - point.y) < 20
                    ? previous
                    : { index, ...point },
              );
            }}
            onPointerLeave={() => setHover(null)}
            onPointerUp={(event) => {
              const wasDrag = drag.current?.moved;
              drag.current = null;
              if (wasDrag) return;
              const point = pointAt(event);
              const index = hitTest(geometry, layout, point.x, point.y);
              onSelect(index);
              if (index !== null) onOpen(index);
            }}
            style={{
              position: 'sticky',
              top: 0,
              display: 'block',
              width: '100%',
              height,
              cursor: hover ? 'pointer' : 'grab',
              touchAction: 'none',
            }}
          >
            A timeline of {layout.rows.length} tokens; use the arrow keys to select one and Enter to open it.
          </canvas>
        </div>
      </div>
      {hovered && hover && (
        <Paper
          shadow="md"
          p="xs"
          withBorder
          role="tooltip"
          style={{
            position: 'absolute',
            left: Math.min(hover.x + 14, Math.max(0, width - 300)),
            top: Math.min(hover.y + 14, height - (hoveredExchange ? 150 : 90)),
            pointerEvents: 'none',
            zIndex: 2,
            maxWidth: 300,
          }}
        >
          <Stack gap={2}>
            <Group gap={6}>
              <TokenStateBadge state={stateAt(hovered, now)} />
              <Badge variant="outline" size="sm" color="gray">
                {hovered.token.format}
              </Badge>
            </Group>
            <Text size="xs" fw={600}>
              {describeRow(hovered)}
            </Text>
            <Text size="xs">
              issued {formatLocal(hovered.start, now)} · expires {formatLocal(hovered.end, now)} (
              {formatRelative(hovered.end, now)})
            </Text>
            {hovered.token.revoked_reason && <Text size="xs">{hovered.token.revoked_reason}</Text>}
            {hoveredExchange && (
              <Text size="xs" c="indigo">
                {hoveredExchange}
              </Text>
            )}
            <Text size="xs" c="dimmed">
              Click to open
            </Text>
          </Stack>
        </Paper>
      )}
      <Text
        id="timeline-selection"
        size="sm"
        aria-live="polite"
        mt={4}
        c={selectedRow ? undefined : 'dimmed'}
      >
        {selectedRow
          ? `Selected: ${describeRow(selectedRow)} — ${stateAt(selectedRow, now).replace('_', ' ')}, expires ${formatRelative(selectedRow.end, now)}.${selectedExchange ? ` ${selectedExchange}.` : ''} Press Enter to open it.`
          : 'Select a bar (click, or focus the timeline and use the arrow keys) to open its token.'}
      </Text>
    </Box>
  );
}
