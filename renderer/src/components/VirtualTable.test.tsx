import { act, cleanup, fireEvent, screen, within } from '@testing-library/react';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { renderWithTheme } from '../test-utils';
import type { Column } from './DataTable';
import { VirtualTable } from './VirtualTable';

interface Item {
  id: string;
  name: string;
}

const ROW_HEIGHT = 40;
/** The scroll area's height as a browser would lay it out (happy-dom lays nothing out). */
const VIEW_HEIGHT = 400;

const clientHeight = Object.getOwnPropertyDescriptor(HTMLElement.prototype, 'clientHeight');
beforeAll(() => {
  Object.defineProperty(HTMLElement.prototype, 'clientHeight', {
    configurable: true,
    get() {
      return (this as HTMLElement).dataset.testid === 'items-scroll' ? VIEW_HEIGHT : 0;
    },
  });
});
afterAll(() => {
  if (clientHeight) Object.defineProperty(HTMLElement.prototype, 'clientHeight', clientHeight);
});
afterEach(cleanup);

const ITEMS: Item[] = Array.from({ length: 10_000 }, (_, i) => ({ id: `item-${i}`, name: `Item ${i}` }));
const COLUMNS: Column<Item>[] = [
  { header: 'Name', cell: (item) => item.name, light: (item) => `${item.name} (light)`, width: 200 },
  { header: 'Id', cell: (item) => item.id, props: { ff: 'monospace' } },
];

function renderTable(overrides: Partial<Parameters<typeof VirtualTable<Item>>[0]> = {}) {
  const onEndReached = vi.fn();
  const onRowClick = vi.fn();
  const view = renderWithTheme(
    <VirtualTable<Item>
      label="Items"
      testId="items-scroll"
      rows={ITEMS}
      rowKey={(item) => item.id}
      columns={COLUMNS}
      rowHeight={ROW_HEIGHT}
      onEndReached={onEndReached}
      loadingMore={false}
      empty={<p>Nothing here</p>}
      actions={(item) => [
        { label: 'Open', name: `Open ${item.name}`, onClick: () => undefined },
        item.id.endsWith('3') && { label: 'Delete', name: `Delete ${item.name}`, onClick: () => undefined },
      ]}
      onRowClick={onRowClick}
      {...overrides}
    />,
  );
  return { view, onEndReached, onRowClick };
}

/** The data rows in the DOM (the header row is the table's first row). */
function renderedRows(): HTMLElement[] {
  return screen.getAllByRole('row').filter((row) => row.hasAttribute('data-row-key'));
}

async function scrollTo(top: number) {
  const scroller = screen.getByTestId('items-scroll');
  await act(async () => {
    scroller.scrollTop = top;
    fireEvent.scroll(scroller);
    // The virtualizer settles its scroll state on the next frame.
    await new Promise((resolve) => setTimeout(resolve, 50));
  });
}

describe('VirtualTable', () => {
  it('renders only the rows in view of 10,000, with the row count told to assistive tech', () => {
    renderTable();
    const table = screen.getByRole('table', { name: 'Items' });
    expect(table.getAttribute('aria-rowcount')).toBe('10001');
    const rows = renderedRows();
    // A 400 px view of 40 px rows shows 10, plus a few rendered ahead for smooth scrolling.
    expect(rows.length).toBeGreaterThanOrEqual(10);
    expect(rows.length).toBeLessThan(30);
    expect(rows[0]?.getAttribute('data-row-key')).toBe('item-0');
    expect(rows[0]?.getAttribute('aria-rowindex')).toBe('2');
    expect(screen.queryByText('Item 9999')).toBeNull();
  });

  it('renders the rows at the scroll position, and asks for more near the end, not before', async () => {
    const { onEndReached } = renderTable();
    expect(onEndReached).not.toHaveBeenCalled();

    await scrollTo(5000 * ROW_HEIGHT);
    expect(screen.getByText(/^Item 5000/)).toBeTruthy();
    expect(screen.queryByText(/^Item 0\b/)).toBeNull();
    expect(renderedRows().length).toBeLessThan(30);
    expect(onEndReached).not.toHaveBeenCalled();

    // The last screen: the last row is there, and more are asked for.
    await scrollTo(10_000 * ROW_HEIGHT);
    expect(screen.getByText(/^Item 9999/)).toBeTruthy();
    expect(onEndReached).toHaveBeenCalled();
  });

  it('mounts rows that come into view during a scroll light, and whole once the scroll stops', async () => {
    renderTable();
    expect(screen.getByRole('button', { name: 'Open Item 0' })).toBeTruthy();
    await scrollTo(3000 * ROW_HEIGHT);
    // Mid-scroll: the light text, no buttons yet.
    expect(screen.getByText('Item 3000 (light)')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Open Item 3000' })).toBeNull();
    // The scroll is over (the virtualizer waits 150 ms without a scroll event): the whole row.
    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 400));
    });
    expect(screen.getByText('Item 3000')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Open Item 3000' })).toBeTruthy();
  });

  it('shows a "Loading more…" row while the next page loads, and the empty state without rows', () => {
    const { view } = renderTable({ loadingMore: true });
    expect(screen.getByRole('status').textContent).toBe('Loading more…');
    view.unmount();
    renderTable({ rows: [] });
    expect(screen.getByText('Nothing here')).toBeTruthy();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('names each action for its row, and a row click is the row’s, a button click the button’s', () => {
    const { onRowClick } = renderTable();
    const row = renderedRows().find((r) => r.getAttribute('data-row-key') === 'item-3') as HTMLElement;
    expect(within(row).getByRole('button', { name: 'Open Item 3' })).toBeTruthy();
    expect(within(row).getByRole('button', { name: 'Delete Item 3' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Delete Item 2' })).toBeNull();
    expect(screen.getByRole('columnheader', { name: 'Actions' })).toBeTruthy();

    fireEvent.click(within(row).getByRole('button', { name: 'Open Item 3' }));
    expect(onRowClick).not.toHaveBeenCalled();
    fireEvent.click(within(row).getByText('item-3'));
    expect(onRowClick).toHaveBeenCalledWith(ITEMS[3]);
    fireEvent.keyDown(row, { key: 'Enter' });
    expect(onRowClick).toHaveBeenCalledTimes(2);
  });
});
