import { Table, Text } from '@mantine/core';
import { type Range, useVirtualizer, type Virtualizer } from '@tanstack/react-virtual';
import {
  type KeyboardEvent,
  type MouseEvent,
  memo,
  type ReactNode,
  type RefObject,
  type UIEvent,
  useCallback,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  useSyncExternalStore,
} from 'react';
import { type Column, HeaderCells, type RowAction, RowCells } from './DataTable';

export interface VirtualTableProps<Row> {
  /** The table's accessible name ("Tokens"). */
  label: string;
  /** The scrolling element's data-testid ("tokens-scroll"). */
  testId: string;
  /** The rows loaded so far; only those in view (and a few around) are rendered. */
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  columns: ReadonlyArray<Column<Row>>;
  /** Every row's height in pixels: rows never wrap, so the scroll height is rows × this. */
  rowHeight: number;
  /** Called when the last rendered row is within about a screen of the last row loaded. */
  onEndReached: () => void;
  /** Shows a "Loading more…" row at the end. */
  loadingMore: boolean;
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  /** The buttons of each row's Actions cell, as DataTable's. */
  actions?: (row: Row) => ReadonlyArray<RowAction | false>;
  /** Rendered after a row's action buttons (a menu of more actions). */
  moreActions?: (row: Row) => ReactNode;
  /** The Actions column's width; by default guessed from the first row's buttons. */
  actionsWidth?: number;
  /** A click on a row outside its buttons (or Enter on the focused row). */
  onRowClick?: (row: Row) => void;
  /** Told when the list comes to or leaves its top (a live view adds rows there only then). */
  onAtTopChange?: (atTop: boolean) => void;
  /** The scrolling element, for a view that scrolls it (back to the top to show new rows). */
  scrollRef?: RefObject<HTMLDivElement | null>;
}

/**
 * Mantine's ff="monospace", for a plain element in a cell: a column with cell props (Column.props)
 * renders a styled cell, which costs every row scrolling into view.
 */
export const MONOSPACE = { fontFamily: 'var(--mantine-font-family-monospace)' } as const;

/** The sticky header row's height; the virtualizer counts rows from below it. */
const HEADER_HEIGHT = 36;
/**
 * Rows rendered beyond the view: ahead of a scroll, so a fast one does not show blank space first;
 * behind it, one (they are leaving); at rest, a few each way. Every row in the table is laid out again
 * on each frame of a scroll (a table lays its rows out together), so rows behind would only cost.
 */
const OVERSCAN = { ahead: 8, behind: 1, resting: 4 };
/**
 * More rows are asked for this many screens before the last one loaded: a fast scroll (some 400 rows
 * a second) covers a screen in a twentieth of a second, less than a page takes to come.
 */
const PREFETCH_SCREENS = 4;
/** The scroll area's least height, on a short window. */
const MIN_HEIGHT = 320;
/** Room kept under the scroll area, for the page's bottom padding. */
const BOTTOM_GAP = 24;
/** A column without a width is at least this wide before the table scrolls sideways. */
const FLEX_COLUMN_MIN = 140;

/** Clicks on these inside a row are theirs, not the row's. */
const INTERACTIVE = 'button, a, input, select, textarea, [role="menuitem"], [role="menu"]';

/**
 * A table for long lists (thousands of rows, loaded page by page): only the rows in view are in the
 * DOM, at a fixed height, between two spacer rows that keep the scroll height right, so scrolling
 * costs the same at row 50 as at row 500,000. Columns are laid out fixed (Column.width), so rows
 * coming into view never resize them. The scroll area fills the window below the table's top, its
 * header sticks, and it asks for more rows (onEndReached) about a screen before the end.
 *
 * Rows are memoised: a row re-renders when its data or the table's callbacks change, not when the
 * view scrolls, so callers keep `columns`, `actions`, `moreActions` and `onRowClick` stable.
 */
export function VirtualTable<Row>(props: VirtualTableProps<Row>) {
  const { rows, empty } = props;
  if (rows.length === 0) return empty;
  return <Scroller {...props} />;
}

/** The scroll area's height: from its top down to the window's bottom, followed on resize. */
function useFillWindow(element: RefObject<HTMLDivElement | null>): number {
  const [height, setHeight] = useState(MIN_HEIGHT);
  useLayoutEffect(() => {
    const update = () => {
      const top = element.current?.getBoundingClientRect().top ?? 0;
      setHeight(Math.max(MIN_HEIGHT, Math.floor(window.innerHeight - Math.max(top, 0) - BOTTOM_GAP)));
    };
    update();
    window.addEventListener('resize', update);
    return () => window.removeEventListener('resize', update);
  }, [element]);
  return height;
}

function Scroller<Row>({
  label,
  testId,
  rows,
  rowKey,
  columns,
  rowHeight,
  onEndReached,
  loadingMore,
  actions,
  moreActions,
  actionsWidth,
  onRowClick,
  onAtTopChange,
  scrollRef,
}: VirtualTableProps<Row>) {
  const ownRef = useRef<HTMLDivElement | null>(null);
  const setRef = useCallback(
    (element: HTMLDivElement | null) => {
      ownRef.current = element;
      if (scrollRef) scrollRef.current = element;
    },
    [scrollRef],
  );
  const height = useFillWindow(ownRef);
  const instance = useRef<Virtualizer<HTMLDivElement, Element> | null>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => ownRef.current,
    estimateSize: () => rowHeight,
    overscan: OVERSCAN.resting,
    rangeExtractor: useCallback(
      (range: Range) => rowsAround(range, instance.current?.scrollDirection ?? null),
      [],
    ),
    paddingStart: HEADER_HEIGHT,
    getItemKey: (index) => rowKey(rows[index] as Row),
    // Rows coming into view render in React's own batch, not synchronously inside each scroll event:
    // a fast scroll fires many, and synchronous renders in a row hit React's nested-update limit.
    useFlushSync: false,
    // Before the element is measured (and where nothing lays out, as in tests): a window's worth.
    initialRect: { width: 0, height },
  });
  instance.current = virtualizer;
  const items = virtualizer.getVirtualItems();
  const [scrolling] = useState(scrollFlag);
  scrolling.mark(virtualizer.isScrolling);
  useEffect(() => scrolling.tell());
  const first = items[0];
  const last = items.at(-1);
  const topSpace = first ? first.start - HEADER_HEIGHT : 0;
  const bottomSpace = last ? virtualizer.getTotalSize() - last.end : 0;

  // More rows about a screen before the end, again after each page (a short page may not fill it).
  const endReached = useRef(onEndReached);
  endReached.current = onEndReached;
  const lastIndex = last?.index ?? -1;
  const ahead = Math.ceil(height / rowHeight) * PREFETCH_SCREENS;
  useEffect(() => {
    if (!loadingMore && lastIndex >= 0 && lastIndex >= rows.length - 1 - ahead) endReached.current();
  }, [lastIndex, rows.length, ahead, loadingMore]);

  const atTop = useRef(true);
  // A new table starts at its top, and a list that is gone (no rows) is at its top too.
  const toldAtTop = useRef(onAtTopChange);
  toldAtTop.current = onAtTopChange;
  useEffect(() => {
    toldAtTop.current?.(true);
    return () => toldAtTop.current?.(true);
  }, []);
  const onScroll = useCallback(
    (event: UIEvent<HTMLDivElement>) => {
      const now = event.currentTarget.scrollTop < rowHeight / 2;
      if (now === atTop.current) return;
      atTop.current = now;
      onAtTopChange?.(now);
    },
    [onAtTopChange, rowHeight],
  );

  const hasActions = Boolean(actions || moreActions);
  const columnCount = columns.length + (hasActions ? 1 : 0);
  const minWidth = columns.reduce((sum, column) => sum + (column.width ?? FLEX_COLUMN_MIN), 0);
  const actionsColumn = hasActions
    ? (actionsWidth ?? guessActionsWidth(rows[0] as Row, actions, moreActions))
    : 0;
  return (
    <div
      ref={setRef}
      data-testid={testId}
      onScroll={onScroll}
      // No scroll anchoring: the spacer rows keep the rows in place, and rows added at the top of a
      // list at its top must show, not be scrolled past.
      style={{
        height,
        overflow: 'auto',
        overflowAnchor: 'none',
        overscrollBehavior: 'contain',
        contain: 'strict',
      }}
    >
      <Table
        aria-label={label}
        aria-rowcount={rows.length + 1}
        layout="fixed"
        stickyHeader
        highlightOnHover
        verticalSpacing={0}
        miw={minWidth + actionsColumn}
        styles={{ td: ONE_LINE, th: ONE_LINE }}
      >
        <colgroup>
          {columns.map((column) => (
            <col key={column.header} style={column.width ? { width: column.width } : undefined} />
          ))}
          {hasActions && <col style={{ width: actionsColumn }} />}
        </colgroup>
        <Table.Thead>
          <Table.Tr aria-rowindex={1} style={{ height: HEADER_HEIGHT }}>
            <HeaderCells columns={columns} actions={hasActions} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {topSpace > 0 && <Spacer height={topSpace} columns={columnCount} />}
          {items.map((item) => {
            const row = rows[item.index] as Row;
            return (
              <VirtualRow
                key={item.key}
                row={row}
                scrolling={scrolling}
                rowKey={String(item.key)}
                index={item.index}
                height={rowHeight}
                columns={columns}
                actions={actions}
                moreActions={moreActions}
                onRowClick={onRowClick}
              />
            );
          })}
          {bottomSpace > 0 && <Spacer height={bottomSpace} columns={columnCount} />}
          {loadingMore && (
            <Table.Tr style={{ height: rowHeight }}>
              <Table.Td colSpan={columnCount}>
                <Text size="sm" c="dimmed" role="status">
                  Loading more…
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
    </div>
  );
}

/** The rows to render for the visible `range`, more of them ahead of the scroll's direction. */
function rowsAround(range: Range, direction: 'forward' | 'backward' | null): number[] {
  const before =
    direction === null ? OVERSCAN.resting : direction === 'forward' ? OVERSCAN.behind : OVERSCAN.ahead;
  const after =
    direction === null ? OVERSCAN.resting : direction === 'forward' ? OVERSCAN.ahead : OVERSCAN.behind;
  const start = Math.max(0, range.startIndex - before);
  const end = Math.min(range.count - 1, range.endIndex + after);
  return Array.from({ length: Math.max(0, end - start + 1) }, (_, i) => start + i);
}

/** Room for a row's buttons: their labels at a small button's size, and a menu's icon. */
function guessActionsWidth<Row>(
  row: Row,
  actions: VirtualTableProps<Row>['actions'],
  moreActions: VirtualTableProps<Row>['moreActions'],
): number {
  const buttons = (actions?.(row) ?? []).filter((action) => action !== false);
  const width = buttons.reduce((sum, action) => sum + action.label.length * 8 + 28, 0);
  return Math.max(80, width + (moreActions ? 44 : 0) + 24);
}

/** The height of the rows not rendered, above or below the ones that are: hidden from assistive tech. */
function Spacer({ height, columns }: { height: number; columns: number }) {
  return (
    <tr aria-hidden style={{ height }}>
      <td colSpan={columns} style={{ padding: 0, border: 0 }} />
    </tr>
  );
}

/**
 * Whether the table is being scrolled, for rows to subscribe to: a row that comes into view during a
 * scroll is light (its cells' `light` text, no action buttons) until the scroll stops, so a fast scroll
 * mounts plain text rows only. Rows already whole never re-render for it.
 */
function scrollFlag() {
  let scrolling = false;
  let told = false;
  const listeners = new Set<() => void>();
  return {
    get: () => scrolling,
    /** Set while the table renders, so the rows it mounts then see it; told to the others after. */
    mark(value: boolean) {
      scrolling = value;
    },
    tell() {
      if (told === scrolling) return;
      told = scrolling;
      for (const listener of listeners) listener();
    },
    subscribe(listener: () => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
type ScrollFlag = ReturnType<typeof scrollFlag>;

interface VirtualRowProps<Row> {
  row: Row;
  scrolling: ScrollFlag;
  rowKey: string;
  index: number;
  height: number;
  columns: ReadonlyArray<Column<Row>>;
  actions: VirtualTableProps<Row>['actions'];
  moreActions: VirtualTableProps<Row>['moreActions'];
  onRowClick: VirtualTableProps<Row>['onRowClick'];
}

function VirtualRowImpl<Row>({
  row,
  scrolling,
  rowKey,
  index,
  height,
  columns,
  actions,
  moreActions,
  onRowClick,
}: VirtualRowProps<Row>) {
  const whole = useRef(!scrolling.get());
  const settled = useSyncExternalStore(scrolling.subscribe, () => whole.current || !scrolling.get());
  if (settled) whole.current = true;
  const onClick = onRowClick
    ? (event: MouseEvent<HTMLTableRowElement>) => {
        if ((event.target as Element).closest(INTERACTIVE)) return;
        onRowClick(row);
      }
    : undefined;
  const onKeyDown = onRowClick
    ? (event: KeyboardEvent<HTMLTableRowElement>) => {
        if (event.target === event.currentTarget && event.key === 'Enter') onRowClick(row);
      }
    : undefined;
  // Plain elements with Mantine's table classes rather than Table.Tr and Table.Td: the same markup
  // and styles, without a styled component's work per cell for every row scrolling into view.
  return (
    <tr
      className={ROW_CLASS}
      data-with-row-border
      data-hover
      // biome-ignore lint/a11y/noRedundantRoles: spelled out, so `[role=row]` finds rows (bench/ui, tests)
      role="row"
      data-row-key={rowKey}
      aria-rowindex={index + 2}
      tabIndex={onRowClick ? 0 : undefined}
      onClick={onClick}
      onKeyDown={onKeyDown}
      style={{ height, cursor: onRowClick ? 'pointer' : undefined }}
    >
      {columns.map((column) => {
        const content = !settled && column.light ? column.light(row) : column.cell(row);
        // A column with its own cell props (Mantine style props such as ff) keeps Mantine's cell.
        return column.props ? (
          <Table.Td key={column.header} {...column.props}>
            {content}
          </Table.Td>
        ) : (
          <td key={column.header} className={CELL_CLASS} style={ONE_LINE}>
            {content}
          </td>
        );
      })}
      {(actions || moreActions) &&
        (settled ? (
          <RowCells row={row} columns={NO_COLUMNS} actions={actions} moreActions={moreActions} />
        ) : (
          <td className={CELL_CLASS} />
        ))}
    </tr>
  );
}

/** Cells never wrap: every row is one line of the table's row height. */
const ONE_LINE = { whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' } as const;
const ROW_CLASS = `mantine-Table-tr ${Table.classes.tr}`;
const CELL_CLASS = `mantine-Table-td ${Table.classes.td}`;
const NO_COLUMNS: never[] = [];

/** Re-rendered only when its row or the table's callbacks change, never by scrolling. */
const VirtualRow = memo(VirtualRowImpl) as typeof VirtualRowImpl;
