import type { ComponentType } from 'react';
import { ComparePage } from './compare/ComparePage';
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
  { path: 'lab/learn', label: 'Learn', Page: LearnPage },
];
