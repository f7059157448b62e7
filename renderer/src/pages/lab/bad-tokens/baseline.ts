/**
 * The baseline both QA lab pages start from ("a good token": client, user, audience, scope, format),
 * as the form edits it and as the admin contract takes it, and the hand-over from Bad tokens to
 * Check my API.
 */
import type { Baseline } from '../../../../../shared/lab';
import type { Client } from '../../../../../shared/schemas';
import { navigate } from '../../../data/route';
import type { FormatChoice } from '../TokenSelects';

/** The form's fields; empty ones take the client's defaults. */
export interface BaselineDraft {
  clientId: string | null;
  /** null: a machine token (its subject is the client). */
  username: string | null;
  audience: string[];
  scope: string;
  requiredScope: string;
  format: FormatChoice;
}

export function emptyBaseline(clientId: string | null): BaselineDraft {
  return { clientId, username: null, audience: [], scope: '', requiredScope: '', format: 'client' };
}

/** Space-separated scope values, extra whitespace removed. */
function normaliseScope(scope: string): string {
  return scope.trim().split(/\s+/).filter(Boolean).join(' ');
}

/** The baseline as lab.badTokens and lab.checkApi take it; null until a client is chosen. */
export function toBaseline(draft: BaselineDraft): Baseline | null {
  if (!draft.clientId) return null;
  const baseline: Baseline = { client_id: draft.clientId };
  if (draft.username) baseline.username = draft.username;
  const audience = draft.audience.map((a) => a.trim()).filter(Boolean);
  if (audience.length) baseline.audience = audience;
  const scope = normaliseScope(draft.scope);
  if (scope) baseline.scope = scope;
  const required = normaliseScope(draft.requiredScope);
  if (required) baseline.required_scope = required;
  if (draft.format !== 'client') baseline.format = draft.format;
  return baseline;
}

/** What an empty audience field stands for: the client's audience, else its client_id. */
export function defaultAudience(client: Client | undefined): string[] {
  if (!client) return [];
  return client.audience.length ? client.audience : [client.client_id];
}

/** Where requests go until the user types their own API's URL. */
export const EXAMPLE_API_URL = 'http://127.0.0.1:8080/api/orders';

/**
 * Hands the baseline to Check my API without putting it in the URL (the next mount of that page
 * takes it once), so the attack run starts from the tokens the user just looked at.
 */
export interface HandedBaseline {
  baseline: BaselineDraft;
  /** The API URL typed for the curl lines: the endpoint to attack. */
  url: string;
}

let handed: HandedBaseline | null = null;

export function checkApiWith(baseline: BaselineDraft, url: string): void {
  handed = { baseline, url };
  navigate('lab/check-api');
}

export function takeHandedBaseline(): HandedBaseline | null {
  const taken = handed;
  handed = null;
  return taken;
}
