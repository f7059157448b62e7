// A tiny orders API, the microservice of the compose example: it accepts only access tokens the
// IDP Sandbox issued for it (signature by the provider's JWKS, issuer, audience, expiry) and checks
// the scope itself. No framework: node:http and jose, which most Node services already have.
import http from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';

const issuer = process.env.ISSUER ?? 'http://idp:9400';
const audience = process.env.AUDIENCE ?? 'orders-api';
const port = Number(process.env.PORT ?? 8080);

// The JWKS location comes from discovery, asked at the first request rather than at start-up, so the
// API starts even while the provider does. A failed discovery is asked again at the next request.
let keys;
function jwks() {
  keys ??= fetch(`${issuer}/.well-known/openid-configuration`)
    .then((response) => {
      if (!response.ok) throw new Error(`discovery answered ${response.status}`);
      return response.json();
    })
    .then((metadata) => createRemoteJWKSet(new URL(metadata.jwks_uri)))
    .catch((error) => {
      keys = undefined;
      throw error;
    });
  return keys;
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(JSON.stringify(body));
}

async function authorize(request, scope) {
  const match = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '');
  if (!match)
    return { status: 401, error: 'invalid_request', description: 'Send Authorization: Bearer <token>.' };
  try {
    const { payload } = await jwtVerify(match[1], await jwks(), { issuer, audience });
    const scopes = String(payload.scope ?? '').split(' ');
    if (!scopes.includes(scope))
      return { status: 403, error: 'insufficient_scope', description: `The token lacks the scope ${scope}.` };
    return { payload };
  } catch (error) {
    if (error instanceof errors.JOSEError)
      return { status: 401, error: 'invalid_token', description: error.message };
    throw error;
  }
}

const server = http.createServer(async (request, response) => {
  try {
    if (request.method === 'GET' && request.url === '/health') return send(response, 200, { status: 'ok' });
    if (request.method !== 'GET' || request.url !== '/orders')
      return send(response, 404, { error: 'not_found' });
    const result = await authorize(request, 'orders:read');
    if (!result.payload) {
      const challenge = `Bearer error="${result.error}", error_description="${result.description}"`;
      return send(response, result.status, { error: result.error }, { 'www-authenticate': challenge });
    }
    send(response, 200, { caller: result.payload.sub, orders: [{ id: 1, item: 'coffee' }] });
  } catch (error) {
    send(response, 503, { error: 'unavailable', message: error.message });
  }
});

server.listen(port, '0.0.0.0', () => console.log(`orders API listening on port ${port}, trusting ${issuer}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
