#!/usr/bin/env node
// Peer for the benchmark: oauth2-mock-server with one key of the scenario's algorithm.
// Usage: node bench/servers/oauth2-mock-server.mjs '{"alg":"RS256"}'
// It is stateless: it signs a JWT for any grant and never stores or checks codes or refresh tokens.
import { OAuth2Server } from 'oauth2-mock-server';

const options = { alg: 'RS256', ...JSON.parse(process.argv[2] ?? '{}') };
const server = new OAuth2Server();
await server.issuer.keys.generate(options.alg);
await server.start(0, '127.0.0.1');
const { port } = server.address();

process.on('SIGTERM', () => {
  server.stop().then(() => process.exit(0));
});
process.stdout.write(`READY ${JSON.stringify({ port, issuer: server.issuer.url })}\n`);
