import { type MantineSpacing, Tabs } from '@mantine/core';
import type { ReactNode } from 'react';

export interface TabbedPanel {
  value: string;
  /** The tab's text (with a badge, say). */
  label: ReactNode;
  content: ReactNode;
}

/**
 * Views of one item side by side, the first open; only the open one is mounted, so a tab's queries run
 * when it is opened.
 */
export function TabbedPanels({
  panels,
  panelPadding,
}: {
  panels: readonly TabbedPanel[];
  panelPadding: MantineSpacing;
}) {
  return (
    <Tabs defaultValue={panels[0]?.value} keepMounted={false}>
      <Tabs.List>
        {panels.map((panel) => (
          <Tabs.Tab key={panel.value} value={panel.value}>
            {panel.label}
          </Tabs.Tab>
        ))}
      </Tabs.List>
      {panels.map((panel) => (
        <Tabs.Panel key={panel.value} value={panel.value} pt={panelPadding}>
          {panel.content}
        </Tabs.Panel>
      ))}
    </Tabs>
  );
}
