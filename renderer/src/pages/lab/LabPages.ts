import type { ComponentType } from 'react';
import { BadTokensPage } from './bad-tokens/BadTokensPage';
import { CheckApiPage } from './check-api/CheckApiPage';
import { ComparePage } from './compare/ComparePage';
import { FaultsPage } from './faults/FaultsPage';
import { InspectorPage } from './inspector/InspectorPage';
import { LearnPage } from './learn/LearnPage';
import { MintPage } from './mint/MintPage';
import { PlaygroundPage } from './playground/PlaygroundPage';
import { TimelinePage } from './timeline/TimelinePage';

/** The token lifecycle lab's pages, in navigation order ("#/lab/<name>"). */
export const LAB_PAGES: ReadonlyArray<{ path: string; label: string; Page: ComponentType }> = [
  { path: 'lab/timeline', label: 'Timeline', Page: TimelinePage },
  { path: 'lab/inspector', label: 'Inspector', Page: InspectorPage },
  { path: 'lab/mint', label: 'Mint', Page: MintPage },
  { path: 'lab/compare', label: 'Reference vs JWT', Page: ComparePage },
  { path: 'lab/playground', label: 'Flow playground', Page: PlaygroundPage },
  { path: 'lab/bad-tokens', label: 'Bad tokens', Page: BadTokensPage },
  { path: 'lab/check-api', label: 'Check my API', Page: CheckApiPage },
  { path: 'lab/faults', label: 'Faults', Page: FaultsPage },
  { path: 'lab/learn', label: 'Learn', Page: LearnPage },
];
