import {
  Button,
  type ButtonProps,
  Collapse,
  Group,
  type MantineColor,
  Table,
  type TableTdProps,
} from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import { Fragment, type ReactNode } from 'react';
import { ConfirmButton, type ConfirmOptions } from './Confirm';
import { QueryState } from './QueryState';

export interface Column<Row> {
  header: string;
  cell: (row: Row) => ReactNode;
  /** Styling for every cell of the column (monospace ids, bold names, no wrapping). */
  props?: TableTdProps;
  /**
   * The column's width in pixels in a VirtualTable, whose columns are fixed so rows scrolling by do
   * not resize them; columns without one share the rest. DataTable sizes columns by their content.
   */
  width?: number;
  /**
   * A cheaper rendering of the cell (plain text), shown by a VirtualTable for rows that come into view
   * during a fast scroll, until the scroll stops. Without it the cell renders as always.
   */
  light?: (row: Row) => ReactNode;
}

interface RowActionBase {
  /** The visible text ("Edit"). */
  label: string;
  /** The accessible name, which says which row it acts on ("Edit alice"). */
  name: string;
  color?: MantineColor;
  variant?: ButtonProps['variant'];
  disabled?: boolean;
  /** For a button that shows or hides something: whether it is shown. */
  expanded?: boolean;
}

/** A button in a row's Actions cell: it acts at once, or asks first when the action destroys something. */
export type RowAction = RowActionBase &
  ({ onClick: () => void } | { confirm: ConfirmOptions; onConfirm: () => Promise<unknown> });

/**
 * What a table is, apart from its rows: kept as a constant next to its columns, and spread into
 * DataTable (`<DataTable {...CLIENTS_TABLE} query={clients} … />`).
 */
export interface TableSpec<Row> {
  /** The table's accessible name ("Users"). */
  label: string;
  rowKey: (row: Row) => string | number;
  columns: ReadonlyArray<Column<Row>>;
  /** Below this width the table scrolls sideways instead of squeezing its columns. */
  minWidth: number;
  striped?: boolean;
  highlightOnHover?: boolean;
}

/** A table whose rows are a query's data, named by `what` in its spinner and error ("Loading users"). */
export interface QueryTableSpec<Row> extends TableSpec<Row> {
  what: string;
}

/** Where the rows come from: a query's data, or rows at hand (derived from a query, or none). */
type RowSource<Row> =
  | { query: UseQueryResult<readonly Row[]>; what: string }
  | {
      /** No table while undefined (the query is loading or failed). */
      rows: readonly Row[] | undefined;
      /** The query the rows are derived from, if any: shown as a `query` source is. */
      source?: { query: UseQueryResult<unknown>; what: string };
    };

interface TableContent<Row> extends TableSpec<Row> {
  /** Shown instead of the table when there are no rows. */
  empty: ReactNode;
  /** The buttons of each row's Actions cell; the column is there only when this is given. */
  actions?: (row: Row) => ReadonlyArray<RowAction | false>;
  /** Rendered after a row's action buttons (a menu of more actions). */
  moreActions?: (row: Row) => ReactNode;
  /** A full-width line under each row, which opens and closes (a key's public JWK). */
  details?: (row: Row) => { open: boolean; content: ReactNode };
}

type DataTableProps<Row> = TableContent<Row> & RowSource<Row>;

/** One row action: its button, named for the row it acts on. */
function ActionButton({ action }: { action: RowAction }) {
  const common = {
    size: 'xs',
    variant: action.variant ?? 'subtle',
    disabled: action.disabled,
    'aria-label': action.name,
    'aria-expanded': action.expanded,
    // Left out when not set, so a confirm button keeps its own default (red).
    ...(action.color ? { color: action.color } : {}),
  } as const;
  if ('confirm' in action) {
    return (
      <ConfirmButton {...common} confirm={action.confirm} onConfirm={action.onConfirm}>
        {action.label}
      </ConfirmButton>
    );
  }
  return (
    <Button {...common} onClick={action.onClick}>
      {action.label}
    </Button>
  );
}

/** The header row's cells: the columns' names, then "Actions" when the rows have buttons. */
export function HeaderCells<Row>({
  columns,
  actions,
}: {
  columns: ReadonlyArray<Column<Row>>;
  actions: boolean;
}) {
  return (
    <>
      {columns.map((column) => (
        <Table.Th key={column.header}>{column.header}</Table.Th>
      ))}
      {actions && <Table.Th>Actions</Table.Th>}
    </>
  );
}

/** A row's cells: one per column, then its Actions cell when the table has actions (VirtualTable's too). */
export function RowCells<Row>({
  row,
  columns,
  actions,
  moreActions,
  light = false,
}: { row: Row; light?: boolean } & Pick<TableContent<Row>, 'columns' | 'actions' | 'moreActions'>) {
  return (
    <>
      {columns.map((column) => (
        <Table.Td key={column.header} {...column.props}>
          {light && column.light ? column.light(row) : column.cell(row)}
        </Table.Td>
      ))}
      {(actions || moreActions) && (
        <Table.Td>
          <Group gap={4} wrap="nowrap">
            {actions?.(row).map((action) => action && <ActionButton key={action.name} action={action} />)}
            {moreActions?.(row)}
          </Group>
        </Table.Td>
      )}
    </>
  );
}

/**
 * The list view of every page: the query's loading or error state, then a header row, one row per item
 * and its action buttons, or the empty state.
 */
export function DataTable<Row>(props: DataTableProps<Row>) {
  const source = 'query' in props ? { query: props.query, what: props.what } : props.source;
  const rows = 'query' in props ? props.query.data : props.rows;
  return (
    <>
      {source && <QueryState query={source.query} what={source.what} />}
      <TableOrEmpty {...props} rows={rows} />
    </>
  );
}

function TableOrEmpty<Row>({
  label,
  rows,
  rowKey,
  columns,
  empty,
  actions,
  moreActions,
  details,
  minWidth,
  striped = false,
  highlightOnHover = false,
}: TableContent<Row> & { rows: readonly Row[] | undefined }) {
  if (!rows) return null;
  if (rows.length === 0) return empty;
  const hasActions = Boolean(actions || moreActions);
  const columnCount = columns.length + (hasActions ? 1 : 0);
  return (
    <Table.ScrollContainer minWidth={minWidth}>
      <Table striped={striped} highlightOnHover={highlightOnHover} aria-label={label}>
        <Table.Thead>
          <Table.Tr>
            <HeaderCells columns={columns} actions={hasActions} />
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((row) => {
            const detail = details?.(row);
            return (
              <Fragment key={rowKey(row)}>
                <Table.Tr>
                  <RowCells row={row} columns={columns} actions={actions} moreActions={moreActions} />
                </Table.Tr>
                {detail && (
                  <Table.Tr>
                    <Table.Td
                      colSpan={columnCount}
                      p={0}
                      style={{ borderBottom: detail.open ? undefined : 'none' }}
                    >
                      <Collapse expanded={detail.open}>{detail.content}</Collapse>
                    </Table.Td>
                  </Table.Tr>
                )}
              </Fragment>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}
