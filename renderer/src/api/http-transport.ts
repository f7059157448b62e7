import { type AdminApi, type AdminMethod, buildAdminApi } from '../../../shared/contract';
import { AdminError, isAdminErrorBody } from '../../../shared/errors';

/** Marks a request as coming from the UI's own script; a cross-site form cannot set it. */
const UI_HEADER = { 'x-idp-sandbox-ui': '1' } as const;

/** Browser mode: admin calls over HTTP, authenticated by the HttpOnly session cookie. */
export function createHttpAdminApi(baseUrl = ''): AdminApi {
  return buildAdminApi(async (method: AdminMethod, input: unknown) => {
    let response: Response;
    try {
      response = await fetch(`${baseUrl}/admin/api/${method}`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', ...UI_HEADER },
        body: JSON.stringify(input ?? {}),
      });
    } catch {
      throw new AdminError('internal', 'Cannot reach the IDP Sandbox engine. Is it still running?');
    }
    const body: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      if (isAdminErrorBody(body)) throw new AdminError(body.code, body.message);
      throw new AdminError('internal', `The engine answered ${response.status} ${response.statusText}.`);
    }
    return body;
  });
}
