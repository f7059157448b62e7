import { navigate } from '../../data/route';

/**
 * Hands a token from one lab page to the inspector without putting it in the URL (tokens do not
 * belong in history or logs): the next inspector mount takes it once.
 */
let pending: string | null = null;

export function openInInspector(token: string): void {
  pending = token;
  navigate('lab/inspector');
}

export function takeInspectorToken(): string | null {
  const token = pending;
  pending = null;
  return token;
}
