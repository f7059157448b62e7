import { Text } from '@mantine/core';
import type { CSSProperties, ReactNode } from 'react';
import type { Palette } from './draw';

/** The inline lists under the timeline (legend, key changes): items side by side, wrapping. */
export const INLINE_LIST: CSSProperties = {
  display: 'flex',
  flexWrap: 'wrap',
  gap: '4px 16px',
  listStyle: 'none',
  margin: 0,
  padding: 0,
  alignItems: 'center',
};
export const INLINE_ITEM: CSSProperties = { display: 'flex', alignItems: 'center', gap: 6 };

function Item({ swatch, children }: { swatch: CSSProperties; children: ReactNode }) {
  return (
    <li style={INLINE_ITEM}>
      <span aria-hidden="true" style={{ display: 'inline-block', width: 18, height: 10, ...swatch }} />
      <Text size="xs" span>
        {children}
      </Text>
    </li>
  );
}

function Mark({ symbol, color, children }: { symbol: string; color: string; children: ReactNode }) {
  return (
    <li style={INLINE_ITEM}>
      <span aria-hidden="true" style={{ width: 18, textAlign: 'center', color, fontWeight: 700 }}>
        {symbol}
      </span>
      <Text size="xs" span>
        {children}
      </Text>
    </li>
  );
}

const STATES = [
  ['active', 'active'],
  ['expired', 'expired'],
  ['revoked', 'revoked'],
  ['rotated', 'rotated (refreshed)'],
  ['reuse_detected', 'reuse detected'],
] as const;

/** What the colours, shapes and marks mean. */
export function Legend({ palette: p }: { palette: Palette }) {
  const s = p.states;
  return (
    <ul style={INLINE_LIST} aria-label="Timeline legend">
      {STATES.map(([state, label]) => (
        <Item key={state} swatch={{ background: s[state], borderRadius: 2 }}>
          {label}
        </Item>
      ))}
      <Item swatch={{ background: s.active, height: 10 }}>access</Item>
      <Item swatch={{ background: s.active, height: 5 }}>ID</Item>
      <Item swatch={{ border: `1.5px solid ${s.active}`, background: 'transparent' }}>refresh</Item>
      <Item swatch={{ borderTop: `1px solid ${s.expired}`, height: 0, marginTop: 1 }}>
        ended early (revoked / rotated): the bar stops there, a thin line runs to its expiry
      </Item>
      <Mark symbol="|" color={p.marks.userinfo}>
        used: userinfo call
      </Mark>
      <Mark symbol="|" color={p.marks.introspected}>
        used: introspected
      </Mark>
      <Mark symbol="|" color={p.marks.refreshed}>
        used: refreshed
      </Mark>
      <Mark symbol="✕" color={p.marks.revoked}>
        revoked
      </Mark>
      <Mark symbol="▲" color={p.marks.reuse}>
        reuse detected
      </Mark>
      <Mark symbol="└" color={p.link}>
        issued by a refresh (lineage)
      </Mark>
      <Mark symbol="◆" color={p.exchange}>
        exchanged from the token above (token exchange; hover for who acted for whom)
      </Mark>
      <Item swatch={{ borderLeft: `2px dotted ${p.keys.staged}`, width: 2 }}>signing key staged</Item>
      <Item swatch={{ borderLeft: `2px solid ${p.keys.activated}`, width: 2 }}>signing key activated</Item>
      <Item swatch={{ borderLeft: `2px dashed ${p.keys.retired}`, width: 2 }}>signing key retired</Item>
      <Item swatch={{ borderLeft: `2px dotted ${p.clock}`, width: 2 }}>provider clock moved</Item>
      <Item swatch={{ background: p.hole }}>
        tokens not drawn while issued faster than the page follows (drawn once the rate falls)
      </Item>
    </ul>
  );
}
