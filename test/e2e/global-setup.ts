import { findChromium } from './chromium';

// Fails the whole e2e run up front, with install instructions, when there is no Chromium.
export default function setup(): void {
  findChromium();
}
