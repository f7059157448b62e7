import { type MantineTheme, useComputedColorScheme, useMantineTheme } from '@mantine/core';
import { useMemo } from 'react';
import type { Palette } from './draw';

/** Canvas colours from the Mantine theme, matching the state badges, for light and dark schemes. */
function paletteFor(theme: MantineTheme, scheme: 'light' | 'dark'): Palette {
  const c = theme.colors;
  const dark = scheme === 'dark';
  const shade = dark ? 5 : 6;
  return {
    background: dark ? c.dark[7] : theme.white,
    band: dark ? c.dark[6] : c.gray[0],
    grid: dark ? c.dark[4] : c.gray[2],
    text: dark ? c.dark[0] : c.gray[8],
    dimmed: dark ? c.dark[2] : c.gray[6],
    now: dark ? c.yellow[4] : c.orange[8],
    clock: dark ? c.cyan[4] : c.cyan[8],
    link: dark ? c.gray[4] : c.gray[7],
    exchange: dark ? c.indigo[3] : c.indigo[8],
    hover: dark ? 'rgba(255,255,255,0.06)' : 'rgba(0,0,0,0.04)',
    selection: dark ? 'rgba(120,140,255,0.22)' : 'rgba(76,110,245,0.14)',
    highlight: dark ? 'rgba(255,212,59,0.12)' : 'rgba(250,176,5,0.14)',
    hole: dark ? 'rgba(173,181,189,0.22)' : 'rgba(134,142,150,0.22)',
    states: {
      active: c.green[shade],
      expired: c.gray[dark ? 6 : 5],
      revoked: c.red[shade],
      rotated: c.blue[shade],
      reuse_detected: c.orange[shade],
    },
    marks: {
      revoked: c.red[dark ? 4 : 9],
      introspected: c.violet[dark ? 4 : 7],
      userinfo: c.teal[dark ? 4 : 8],
      refreshed: c.blue[dark ? 3 : 9],
      reuse: c.orange[dark ? 4 : 8],
    },
    keys: {
      staged: c.yellow[dark ? 4 : 7],
      activated: c.grape[dark ? 4 : 7],
      retired: c.gray[dark ? 5 : 6],
    },
  } as Palette;
}

export function usePalette(): Palette {
  const theme = useMantineTheme();
  const scheme = useComputedColorScheme('light');
  return useMemo(() => paletteFor(theme, scheme), [theme, scheme]);
}
