import { AdminError } from '../../../../shared/errors';
import { seconds } from '../../lib/clock';
import { clientDto, generateClientSecret } from '../../store/clients';
import { type AdminContext, inTransaction, type NamespaceHandlers } from './common';

export function clientHandlers({ ctx }: AdminContext): NamespaceHandlers<'clients'> {
  return {
    'clients.list': () => ctx.clients.list().map(clientDto),
    'clients.get': ({ client_id }) => clientDto(ctx.clients.require(client_id)),
    'clients.create': (input) =>
      inTransaction(ctx, () => {
        const client = ctx.clients.create(input, seconds(ctx.clock));
        ctx.events.record('client.created', { client_id: client.client_id });
        return clientDto(client);
      }),
    'clients.update': (input) =>
      inTransaction(ctx, () => {
        const client = ctx.clients.replace(ctx.clients.require(input.client_id), input, seconds(ctx.clock));
        ctx.events.record('client.updated', { client_id: client.client_id });
        return clientDto(client);
      }),
    'clients.delete': ({ client_id }) =>
      inTransaction(ctx, () => {
        ctx.clients.require(client_id);
        const revoked = ctx.tokens.revokeWhere('client_id', client_id, 'client_deleted', seconds(ctx.clock));
        ctx.clients.delete(client_id);
        ctx.events.record('client.deleted', { client_id, data: { revoked_tokens: revoked.length } });
        return { deleted: true as const };
      }),
    'clients.regenerateSecret': ({ client_id }) =>
      inTransaction(ctx, () => {
        const existing = ctx.clients.require(client_id);
        if (existing.token_endpoint_auth_method === 'none') {
          throw new AdminError(
            'conflict',
            `Client "${client_id}" is public (auth method "none") and has no secret.`,
          );
        }
        if (existing.token_endpoint_auth_method === 'private_key_jwt') {
          throw new AdminError(
            'conflict',
            `Client "${client_id}" authenticates with its key (private_key_jwt) and has no secret.`,
          );
        }
        const client = ctx.clients.replace(
          existing,
          { ...existing, client_secret: generateClientSecret() },
          seconds(ctx.clock),
        );
        ctx.events.record('client.updated', { client_id, data: { secret_regenerated: true } });
        return clientDto(client);
      }),
  };
}
