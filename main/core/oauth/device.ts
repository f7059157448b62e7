import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DEVICE_CODE_GRANT } from '../../../shared/schemas';
import { randomToken } from '../lib/secrets';
import { pageCsp, sendHtml } from '../lib/security-headers';
import {
  BINDING_TTL_MS,
  bindingMatches,
  clearBindingCookie,
  setBindingCookie,
} from '../protocol/browser-binding';
import { authenticateClient } from '../protocol/client-auth';
import {
  type DeviceAuthorization,
  deviceAuthorizationsOf,
  formatUserCode,
} from '../protocol/device-authorizations';
import { unauthorizedClient } from '../protocol/errors';
import { heldBytes, InteractionStore } from '../protocol/interactions';
import {
  BROWSER_SECRET_SCRIPT_SOURCE,
  deviceCodePage,
  deviceConfirmPage,
  deviceDonePage,
} from '../protocol/pages';
import { type Params, readParams, readRepeated } from '../protocol/params';
import { checkResources, grantedScope, parseResource } from '../protocol/policy';
import { SignIn } from '../protocol/sign-in';
import type { ProviderContext } from '../provider/context';

const DEVICE_INTERACTION_COOKIE = 'idp_sandbox_device';

/** A device page shown to a browser, waiting for its sign-in or Deny. */
interface DeviceInteraction {
  device: DeviceAuthorization;
  browserBindingHash: string;
  expiresAt: number;
}

/** The sign-in forms post a script-made secret, and no form runs any other script. */
const DEVICE_PAGE_CSP = pageCsp({ scriptSource: BROWSER_SECRET_SCRIPT_SOURCE });

/**
 * RFC 8628: the device authorization endpoint (§3.1, §3.2) and the verification page where the user
 * enters the code and approves the device by signing in as a test user (§3.3). The device then polls
 * the token endpoint (grants/device-code.ts).
 */
export function registerDeviceRoutes(app: FastifyInstance, ctx: ProviderContext): void {
  const devices = deviceAuthorizationsOf(ctx);
  const signIn = new SignIn(ctx);
  // Its entries hold nothing the request sent, so each costs the same.
  const interactions = new InteractionStore<DeviceInteraction>(
    () => ctx.clock.now(),
    () => heldBytes([]),
  );

  app.post(ctx.paths.deviceAuthorization, async (request, reply) => {
    const params = readParams(request, 'body');
    const { client } = await authenticateClient(request, params, ctx);
    if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
      throw unauthorizedClient(`Client "${client.client_id}" is not allowed the device_code grant.`);
    }
    const scope = grantedScope(client, params.scope);
    const resources = parseResource(readRepeated(params, 'resource'));
    checkResources(client, resources);
    const { deviceCode, device } = devices.create(client.client_id, scope, resources);
    const userCode = formatUserCode(device.userCode);
    const verificationUri = ctx.endpoint('deviceVerification');
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?user_code=${encodeURIComponent(userCode)}`,
        expires_in: device.expiresAt - device.createdAt,
        interval: device.interval,
      });
  });

  function closeInteraction(reply: FastifyReply, id: string): void {
    interactions.delete(id);
    clearBindingCookie(reply, DEVICE_INTERACTION_COOKIE, id);
  }

  function clientName(device: DeviceAuthorization): string {
    const client = ctx.clients.find(device.clientId);
    return client?.client_name ?? device.clientId;
  }

  function showConfirm(reply: FastifyReply, id: string, device: DeviceAuthorization, error: string | null) {
    const page = deviceConfirmPage({
      interactionId: id,
      clientName: clientName(device),
      userCode: formatUserCode(device.userCode),
      scope: device.scope,
      users: signIn.signInUsers(),
      error,
    });
    return sendHtml(reply, error ? 401 : 200, page, DEVICE_PAGE_CSP);
  }

  app.get(ctx.paths.deviceVerification, async (request, reply) => {
    let params: Params;
    try {
      params = readParams(request, 'query');
    } catch (error) {
      return sendHtml(reply, 400, deviceCodePage('', (error as Error).message));
    }
    const typed = params.user_code;
    if (typed === undefined) return sendHtml(reply, 200, deviceCodePage('', null));
    const device = devices.findPending(typed);
    if (!device) {
      // No bound on wrong codes: each guess is a request, and 20^8 codes against at most 1000 valid at
      // once for 10 minutes make guessing hopeless (RFC 8628 §5.1).
      const shown = typed.slice(0, 20);
      return sendHtml(
        reply,
        400,
        deviceCodePage(shown, 'No device is waiting for this code. Check it, or start again on the device.'),
      );
    }
    const id = randomUUID();
    const binding = randomToken();
    interactions.set(id, {
      device,
      browserBindingHash: binding,
      expiresAt: ctx.clock.now() + BINDING_TTL_MS,
    });
    setBindingCookie(ctx, reply, DEVICE_INTERACTION_COOKIE, id, binding);
    return showConfirm(reply, id, device, null);
  });

  /** The page's sign-in (approve) or Deny; only from the browser that was shown it (CSRF). */
  app.post(ctx.paths.deviceVerification, async (request, reply) => {
    let params: Params;
    try {
      params = readParams(request, 'body');
    } catch (error) {
      return sendHtml(reply, 400, deviceCodePage('', (error as Error).message));
    }
    const id = params.interaction ?? '';
    const interaction = interactions.get(id);
    if (!interaction) {
      return sendHtml(reply, 400, deviceCodePage('', 'This page has expired. Enter the code again.'));
    }
    if (!bindingMatches(request, DEVICE_INTERACTION_COOKIE, id, interaction.browserBindingHash)) {
      return sendHtml(
        reply,
        403,
        deviceCodePage('', 'This page was not opened in this browser (CSRF check failed).'),
      );
    }
    const { device } = interaction;
    if (device.status !== 'pending' || devices.isExpired(device)) {
      closeInteraction(reply, id);
      return sendHtml(reply, 400, deviceCodePage('', 'This code was already answered or has expired.'));
    }
    if (params.decision === 'deny') {
      closeInteraction(reply, id);
      devices.deny(device, null, 'page');
      return sendHtml(reply, 200, deviceDonePage(false, clientName(device)));
    }
    const checked = signIn.checkTestUser(params);
    if ('error' in checked) return showConfirm(reply, id, device, checked.error);
    closeInteraction(reply, id);
    const session = signIn.startFormSession(reply, checked.user, checked.amr, params);
    devices.approve(
      device,
      {
        userId: checked.user.id,
        username: checked.user.username,
        authTime: session.auth_time,
        amr: checked.amr,
      },
      'page',
    );
    return sendHtml(reply, 200, deviceDonePage(true, clientName(device)));
  });
}
