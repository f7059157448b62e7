#!/usr/bin/env node
// The crypto ceiling: how many access tokens jose can sign per second with one key of the algorithm,
// with the call the engine makes (main/core/tokens/jws.ts: CompactSign over the claims' JSON).
// jose signs through WebCrypto, whose jobs run on libuv's thread pool; the caller sets UV_THREADPOOL_SIZE
// (1 = one signing thread) and this keeps that pool busy with `inflight` signatures at a time.
// Usage: UV_THREADPOOL_SIZE=1 node bench/servers/crypto-ceiling.mjs '{"alg":"RS256","seconds":2}'
// Prints `READY {"rate":…}` when done (the same protocol as the servers, so one launcher serves both).
import { randomBytes } from 'node:crypto';
import { CompactSign, generateKeyPair } from 'jose';

const options = { alg: 'RS256', seconds: 2, inflight: 8, ...JSON.parse(process.argv[2] ?? '{}') };
const { privateKey } = await generateKeyPair(options.alg);
const now = Math.floor(Date.now() / 1000);
// The claims of a client_credentials access token as the engine issues it.
const payload = () => ({
  iss: 'http://127.0.0.1:9400',
  sub: 'svc-jwt',
  aud: 'svc-jwt',
  exp: now + 300,
  iat: now,
  jti: randomBytes(16).toString('base64url'),
  client_id: 'svc-jwt',
  scope: 'api:read',
});
const encoder = new TextEncoder();
const sign = () =>
  new CompactSign(encoder.encode(JSON.stringify(payload())))
    .setProtectedHeader({ alg: options.alg, kid: 'bench', typ: 'at+jwt' })
    .sign(privateKey);

// Warm-up, then count for the given time.
for (let i = 0; i < 50; i++) await sign();
let signed = 0;
const started = performance.now();
const end = started + options.seconds * 1000;
await Promise.all(
  Array.from({ length: options.inflight }, async () => {
    while (performance.now() < end) {
      await sign();
      signed++;
    }
  }),
);
const rate = signed / ((performance.now() - started) / 1000);
process.stdout.write(`READY ${JSON.stringify({ rate, issuer: 'http://127.0.0.1:0' })}\n`);
