// RFC 9449 DPoP proofs for the benchmark's load: each request needs a fresh one (its jti is remembered),
// so a run takes them from a pool made just before it, with jose as test/integration/dpop.test.ts does.
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';

/** `count` proofs for POST `htu`, all of one new ES256 key, issued now (the engine accepts ±60 s). */
export async function mintProofs(htu, count) {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  const iat = Math.floor(Date.now() / 1000);
  const proofs = [];
  // In batches: jose signs through WebCrypto, whose jobs run in libuv's pool.
  for (let i = 0; i < count; i += 256) {
    const batch = Array.from({ length: Math.min(256, count - i) }, () =>
      new SignJWT({ htm: 'POST', htu, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk })
        .setIssuedAt(iat)
        .sign(privateKey),
    );
    proofs.push(...(await Promise.all(batch)));
  }
  return proofs;
}
