/**
 * A Node (jose) program that makes an RFC 9449 DPoP proof with a generated private key and calls
 * userinfo with the bound token: what a client does for each request, ready to run as it is.
 */
export function dpopProofSnippet({
  issuer,
  token,
  privateJwk,
  alg,
}: {
  issuer: string;
  token: string;
  privateJwk: Record<string, unknown>;
  alg: string;
}): string {
  const url = `${issuer.replace(/\/+$/, '')}/userinfo`;
  return `// Save as proof.mjs in a folder where jose is installed (npm i jose), then run: node proof.mjs
import { createHash, randomUUID } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';

const privateJwk = ${JSON.stringify(privateJwk)};
const { d: _private, ...publicJwk } = privateJwk;
const accessToken = ${JSON.stringify(token)};
const url = ${JSON.stringify(url)};

// One proof per request: method, URL, a fresh jti, and the hash of the token it goes with (ath).
const proof = await new SignJWT({
  htm: 'GET',
  htu: url,
  jti: randomUUID(),
  ath: createHash('sha256').update(accessToken).digest('base64url'),
})
  .setProtectedHeader({ alg: ${JSON.stringify(alg)}, typ: 'dpop+jwt', jwk: publicJwk })
  .setIssuedAt()
  .sign(await importJWK(privateJwk, ${JSON.stringify(alg)}));

const response = await fetch(url, { headers: { authorization: \`DPoP \${accessToken}\`, dpop: proof } });
console.log(response.status, await response.text());
`;
}
