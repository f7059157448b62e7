import type { AdminOutput } from '../../../../shared/contract';
import { AdminError } from '../../../../shared/errors';
import { VERSION } from '../../lib/version';
import { writeHttpsPreference } from '../../tls/preference';
import type { AdminContext, NamespaceHandlers } from './common';

const PLAIN_HTTP: AdminOutput<'engine.info'>['https'] = {
  enabled: false,
  caCertPath: null,
  trustCommands: [],
  nextStart: null,
};

export function engineHandlers(admin: AdminContext): NamespaceHandlers<'engine'> {
  const { ctx } = admin;
  return {
    'engine.info': () => ({
      issuer: ctx.issuer(),
      version: VERSION,
      dataDir: admin.dataDir,
      startedAt: admin.startedAt.toISOString(),
      discoveryUrl: `${ctx.origin()}${ctx.paths.discovery[0]}`,
      port: admin.port(),
      https: admin.https?.() ?? PLAIN_HTTP,
    }),
    'engine.setHttps': ({ enabled }) => {
      if ((admin.https?.().nextStart ?? null) === null || !admin.dataDir) {
        throw new AdminError(
          'invalid_input',
          'This host chooses HTTPS at start (idp-sandbox serve --https).',
        );
      }
      writeHttpsPreference(admin.dataDir, enabled);
      return { nextStart: enabled };
    },
  };
}
