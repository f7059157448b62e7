import type { FastifyInstance } from 'fastify';

export interface DiscoveryContext {
  issuer(): string;
}

export function discoveryDocument(issuer: string): Record<string, unknown> {
  return {
    issuer,
  };
}

export function registerDiscoveryRoutes(app: FastifyInstance, ctx: DiscoveryContext): void {
  const handler = async () => discoveryDocument(ctx.issuer());
  app.get('/.well-known/openid-configuration', handler);
  app.get('/.well-known/oauth-authorization-server', handler);
}
