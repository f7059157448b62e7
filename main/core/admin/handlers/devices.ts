import type { DeviceAuthorization as DeviceOutput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { isoFromSeconds, seconds } from '../../lib/clock';
import {
  type DeviceAuthorization,
  deviceAuthorizationsOf,
  formatUserCode,
} from '../../protocol/device-authorizations';
import type { ProviderContext } from '../../provider/context';
import type { AdminContext, NamespaceHandlers } from './common';

function toOutput(ctx: ProviderContext, device: DeviceAuthorization): DeviceOutput {
  const expired = device.expiresAt <= seconds(ctx.clock);
  return {
    user_code: formatUserCode(device.userCode),
    client_id: device.clientId,
    client_name: ctx.clients.find(device.clientId)?.client_name ?? null,
    scope: device.scope,
    // A device answered before it expired keeps that answer; one still waiting then has run out.
    status: device.status === 'pending' && expired ? 'expired' : device.status,
    username: device.approval?.username ?? null,
    created_at: isoFromSeconds(device.createdAt),
    expires_at: isoFromSeconds(device.expiresAt),
    interval: device.interval,
  };
}

/**
 * Device authorizations (RFC 8628), in memory like the pages waiting for a user: the admin sees the
 * pending ones and answers them as a user at /device would (approve as a test user, or deny).
 */
export function deviceHandlers({ ctx }: AdminContext): NamespaceHandlers<'devices'> {
  const devices = deviceAuthorizationsOf(ctx);

  function pending(userCode: string): DeviceAuthorization {
    const device = devices.findPending(userCode);
    if (!device) {
      throw new AdminError(
        'not_found',
        `No device is waiting for user code "${userCode}" (answered or expired?).`,
      );
    }
    return device;
  }

  return {
    'devices.list': () => devices.list().map((device) => toOutput(ctx, device)),
    'devices.approve': ({ user_code, username }) => {
      const device = pending(user_code);
      const user = ctx.users.findByUsername(username);
      if (!user) throw new AdminError('not_found', `No test user named "${username}".`);
      const approval = { userId: user.id, username: user.username, authTime: seconds(ctx.clock), amr: [] };
      devices.approve(device, approval, 'admin');
      return toOutput(ctx, device);
    },
    'devices.deny': ({ user_code }) => {
      const device = pending(user_code);
      devices.deny(device, null, 'admin');
      return toOutput(ctx, device);
    },
  };
}
