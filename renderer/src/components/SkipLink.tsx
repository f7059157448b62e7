import { useState } from 'react';

/** The id of the element the skip link moves focus to (the page's main region). */
export const MAIN_CONTENT_ID = 'main-content';

/**
 * "Skip to content": the first thing Tab reaches, so a keyboard user passes the header and navigation
 * in one step. Hidden until focused. It moves focus itself instead of following its href, because the
 * app routes by the URL's hash and "#main-content" would read as a page.
 */
export function SkipLink() {
  const [focused, setFocused] = useState(false);
  return (
    <a
      href={`#${MAIN_CONTENT_ID}`}
      onFocus={() => setFocused(true)}
      onBlur={() => setFocused(false)}
      onClick={(event) => {
        event.preventDefault();
        document.getElementById(MAIN_CONTENT_ID)?.focus();
      }}
      style={{
        position: 'fixed',
        left: 8,
        top: focused ? 8 : -100,
        zIndex: 1000,
        padding: '8px 12px',
        background: 'var(--mantine-color-body)',
        color: 'var(--mantine-color-anchor)',
        border: '2px solid var(--mantine-primary-color-filled)',
        borderRadius: 4,
      }}
    >
      Skip to content
    </a>
  );
}
