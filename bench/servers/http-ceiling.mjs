#!/usr/bin/env node
// The HTTP ceiling: the same framework as the engine (Fastify 5 + @fastify/formbody) doing nothing but
// parse a form POST and answer a small JSON body. No provider can be faster than this on this machine.
import fastifyFormbody from '@fastify/formbody';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(fastifyFormbody);
const answer = (request) => ({
  access_token: 'x'.repeat(43),
  token_type: 'Bearer',
  expires_in: 300,
  grant_type: request.body?.grant_type ?? null,
});
app.post('/token', async (request) => answer(request));
app.post('/introspect', async (request) => answer(request));
app.get('/.well-known/openid-configuration', async () => ({ issuer: 'http://127.0.0.1', jwks_uri: '/jwks' }));
app.get('/jwks', async () => ({ keys: [] }));
await app.listen({ host: '127.0.0.1', port: 0 });
const { port } = app.server.address();

process.on('SIGTERM', () => {
  app.close().then(() => process.exit(0));
});
process.stdout.write(`READY ${JSON.stringify({ port, issuer: `http://127.0.0.1:${port}` })}\n`);
