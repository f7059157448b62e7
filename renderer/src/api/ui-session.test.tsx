import { afterEach, describe, expect, it } from 'vitest';
import { openUiSession, UI_TOKEN_STORAGE_KEY } from './ui-session';

/** Puts the tab at `path` (same origin), as opening that link would. */
function at(path: string): void {
  window.history.replaceState(null, '', path);
}

describe('browser-mode sign-in (the tab keeps the UI token, not a cookie)', () => {
  afterEach(() => {
    window.sessionStorage.clear();
    at('/');
  });

  it('moves the token from the address bar into the tab storage and keeps the route', () => {
    at('/ui/?token=tok-1#/users');
    const session = openUiSession(window);
    expect(session.token()).toBe('tok-1');
    expect(session.state()).toBe('signed-in');
    expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe('/ui/#/users');
    expect(window.sessionStorage.getItem(UI_TOKEN_STORAGE_KEY)).toBe('tok-1');
    expect(document.cookie).toBe('');
  });

  it('keeps the tab signed in across a reload (the address no longer has the token)', () => {
    at('/ui/?token=tok-2');
    openUiSession(window);
    const reloaded = openUiSession(window);
    expect(reloaded.token()).toBe('tok-2');
  });

  it('asks for the link in a tab that never had it', () => {
    at('/ui/#/tokens');
    const session = openUiSession(window);
    expect(session.token()).toBeNull();
    expect(session.state()).toBe('needs-link');
    session.expire();
    expect(session.state()).toBe('needs-link');
  });

  it('forgets a token the engine refused and tells its listeners once', () => {
    at('/ui/?token=stale');
    const session = openUiSession(window);
    const seen: string[] = [];
    session.subscribe(() => seen.push(session.state()));
    session.expire();
    session.expire();
    expect(seen).toEqual(['expired']);
    expect(session.token()).toBeNull();
    expect(window.sessionStorage.getItem(UI_TOKEN_STORAGE_KEY)).toBeNull();
    expect(openUiSession(window).state()).toBe('needs-link');
  });
});
