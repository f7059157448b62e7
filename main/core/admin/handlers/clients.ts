import { AdminError } from '../../../../shared/errors';
import { seconds } from '../../lib/clock';
import { clientDto, generateClientSecret } from '../../store/clients';
import { assertionSnippet, generateClientKey, keyAlgFor, withPublicKey } from './client-keys';
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
    /**
     * RFC 7523 §2.2: a key pair for a private_key_jwt client. Only the public key is stored (in the
     * client's jwks, beside the keys it has); the private key is in this answer and nowhere else: not
     * in the database, an event or a log, so an export of the workspace never carries it.
     */
    'clients.generateKeyPair': async ({ client_id, alg, switch_auth_method }) => {
      // Refused before the (for RSA, slow) key generation, and checked again where it is stored.
      const key = await generateClientKey(keyAlgFor(ctx.clients.require(client_id), alg, switch_auth_method));
      const client = inTransaction(ctx, () => {
        const existing = ctx.clients.require(client_id);
        keyAlgFor(existing, alg, switch_auth_method);
        const updated = ctx.clients.replace(existing, withPublicKey(existing, key), seconds(ctx.clock));
        const switched = existing.token_endpoint_auth_method !== 'private_key_jwt';
        ctx.events.record('client.updated', {
          client_id,
          data: { key_generated: key.kid, ...(switched ? { auth_method_switched: true } : {}) },
        });
        return clientDto(updated);
      });
      const snippet = assertionSnippet(client, key, ctx.endpoint('token'));
      return { client, ...key, snippet };
    },
  };
}
