import type { PlaygroundInput } from '../../../../../shared/contract';
import type { Client, GrantType } from '../../../../../shared/schemas';

export type Flow = PlaygroundInput['flow'];

export const FLOWS: Record<
  Flow,
  { label: string; grant: GrantType | null; user: boolean; token: string | null; summary: string }
> = {
  authorization_code: {
    label: 'Authorization code + PKCE',
    grant: 'authorization_code',
    user: true,
    token: null,
    summary:
      'A user signs in through the browser; the client gets a one-time code and redeems it, proving with PKCE that it started the request.',
  },
  refresh_token: {
    label: 'Refresh',
    grant: 'refresh_token',
    user: false,
    token: 'Refresh token',
    summary: 'The client trades its refresh token for fresh tokens; the refresh token is rotated.',
  },
  client_credentials: {
    label: 'Client credentials',
    grant: 'client_credentials',
    user: false,
    token: null,
    summary: 'A service gets a token for itself, no user involved; an API then introspects it.',
  },
  revocation: {
    label: 'Revocation',
    grant: null,
    user: false,
    token: 'Token to revoke',
    summary: 'The client tells the provider it is done with a token; introspection then says inactive.',
  },
};

/** Clients that may run a flow (revocation: any client, for its own tokens). */
export function clientsFor(flow: Flow, clients: Client[]): Client[] {
  const grant = FLOWS[flow].grant;
  return grant ? clients.filter((c) => c.grant_types.includes(grant)) : clients;
}
