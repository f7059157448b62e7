import type { AdminParsedInput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { DEVICE_CODE_GRANT } from '../../../../shared/schemas';
import { seconds } from '../../lib/clock';
import { deviceAuthorizationsOf } from '../../protocol/device-authorizations';
import type { UserRecord } from '../../store/users';
import {
  clientPost,
  describeTokens,
  type Exchange,
  type PlaygroundRun,
  parsedBody,
  tokenRequest,
} from './exchange';

type Input = AdminParsedInput<'playground.run'>;

/** What the device shows the user and keeps for polling (RFC 8628 §3.2). */
interface DeviceStart {
  deviceCode: string;
  userCode: string;
  verificationUriComplete: string;
  interval: number;
}

function checkInput(run: PlaygroundRun, input: Input): UserRecord {
  const { client } = run;
  if (!client.grant_types.includes(DEVICE_CODE_GRANT)) {
    throw new AdminError(
      'invalid_input',
      `Client "${client.client_id}" is not allowed the device_code grant (${DEVICE_CODE_GRANT}).`,
    );
  }
  if (!input.username) throw new AdminError('invalid_input', 'Choose the user who approves the device.');
  return run.deps.ctx.users.require(input.username);
}

/** POST /device_authorization; what the device shows and polls with, or null when refused. */
async function requestCodes(run: PlaygroundRun, scope: string | undefined): Promise<DeviceStart | null> {
  const http = await clientPost(run, run.deps.ctx.paths.deviceAuthorization, scope ? { scope } : {});
  const body = parsedBody(http);
  run.steps.push({
    title: 'Device → POST /device_authorization',
    spec: 'RFC 8628 §3.1, §3.2',
    explanation:
      'A device with no browser or keyboard (a TV, a CLI) asks for a device code, which it keeps, and a short user code, which it shows the user together with where to enter it.',
    http,
    values: {
      user_code: body.user_code ?? null,
      verification_uri: body.verification_uri ?? null,
      verification_uri_complete: body.verification_uri_complete ?? null,
      expires_in: body.expires_in ?? null,
      interval: body.interval ?? null,
    },
  });
  if (http.response.status !== 200) return null;
  return {
    deviceCode: String(body.device_code),
    userCode: String(body.user_code),
    verificationUriComplete: String(body.verification_uri_complete),
    interval: Number(body.interval),
  };
}

function oauthError(http: Exchange): string | null {
  const error = parsedBody(http).error;
  return typeof error === 'string' ? error : null;
}

/** The device polls the token endpoint with its device code (RFC 8628 §3.4). */
function poll(run: PlaygroundRun, start: DeviceStart) {
  return tokenRequest(run, { grant_type: DEVICE_CODE_GRANT, device_code: start.deviceCode });
}

/**
 * The user approves. In real life they open verification_uri_complete on a phone or computer, sign in
 * and approve there; the playground has no second screen, so it approves as the admin does
 * (devices.approve), which the provider treats the same way.
 */
function approve(run: PlaygroundRun, start: DeviceStart, user: UserRecord): boolean {
  const { ctx } = run.deps;
  const devices = deviceAuthorizationsOf(ctx);
  const device = devices.findPending(start.userCode);
  if (device) {
    const approval = { userId: user.id, username: user.username, authTime: seconds(ctx.clock), amr: [] };
    devices.approve(device, approval, 'admin');
  }
  run.steps.push({
    title: `User approves the device as ${user.username}`,
    spec: 'RFC 8628 §3.3, §3.3.1',
    explanation: `In real life the user opens verification_uri_complete (${start.verificationUriComplete}) on their phone or computer, checks that the code matches the device's, signs in and approves. The playground has no second screen, so it approves as ${user.username} through the admin API (devices.approve), as the Devices page does.`,
    http: null,
    values: {
      user_code: start.userCode,
      verification_uri_complete: start.verificationUriComplete,
      approved: device !== undefined,
      approved_as: device ? user.username : null,
    },
  });
  return device !== undefined;
}

/**
 * RFC 8628 device authorization: the device gets its codes, polls once too early
 * (authorization_pending), the user approves, and the next poll gets the tokens.
 */
export async function deviceCodeFlow(run: PlaygroundRun, input: Input): Promise<boolean> {
  const user = checkInput(run, input);
  const start = await requestCodes(run, input.scope);
  if (!start) return false;

  const first = await poll(run, start);
  const pending = oauthError(first.http) === 'authorization_pending';
  run.steps.push({
    title: 'Device → POST /token (poll: authorization_pending)',
    spec: 'RFC 8628 §3.4, §3.5',
    explanation: `The device polls with its device code while the user has not answered yet: 400 authorization_pending means "keep polling". It must wait interval (${start.interval} s) between polls; polling faster earns slow_down, which adds 5 s to the interval for good.`,
    http: first.http,
    values: { error: oauthError(first.http) },
  });
  if (!pending) return false;

  if (!approve(run, start, user)) return false;

  const second = await poll(run, start);
  run.steps.push({
    title: 'Device → POST /token (poll: tokens)',
    spec: 'RFC 8628 §3.4, §3.5, RFC 6749 §5.1',
    explanation: `The user approved, so the next poll gets the tokens of the user (${user.username}), as a code flow would have: access token, ID token with openid, refresh token for a client allowed refresh_token. The device code is now used up. (A real device waits interval seconds before this poll too; the playground polls at once, which the provider answers since the code is no longer pending.)`,
    http: second.http,
    values: {
      ...describeTokens(second.parsed),
      refresh_token: second.parsed?.refresh_token ? 'opaque; rotated on every use' : null,
    },
  });
  if (!second.parsed) return false;
  Object.assign(run.tokens, second.parsed);
  return true;
}
