import type { Recipe, RecipeInput } from './types';
import { expectedAudience, quoted as js } from './values';

export const EXPRESS_JWT_API_FILE = 'api.mjs';

function apiMjs(input: RecipeInput): string {
  return `// An Express API accepting the JWT access tokens that ${input.client.client_id} gets, checked against the
// provider's signing keys (express-jwt + jwks-rsa).
//   npm install express express-jwt jwks-rsa
//   PORT=4000 node ${EXPRESS_JWT_API_FILE}
//   curl -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:4000/api/me
import express from 'express';
import { expressjwt } from 'express-jwt';
import jwksRsa from 'jwks-rsa';

const ISSUER = ${js(input.issuer)};
// The API's identifier: tokens for any other audience are refused.
const AUDIENCE = ${js(expectedAudience(input.client))};

const app = express();

app.use(
  '/api',
  expressjwt({
    // The keys are cached; a token signed with a kid not seen yet (after a key rotation) makes jwks-rsa fetch
    // the key set again, at most 10 times a minute.
    secret: jwksRsa.expressJwtSecret({
      jwksUri: \`\${ISSUER}/jwks\`,
      cache: true,
      rateLimit: true,
    }),
    audience: AUDIENCE,
    issuer: ISSUER,
    algorithms: ['RS256'],
  }),
);

// The claims the token carried, as the API sees them.
app.get('/api/me', (req, res) => {
  res.json(req.auth);
});

app.use((err, _req, res, next) => {
  if (err.name !== 'UnauthorizedError') return next(err);
  res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
  res.status(401).json({ error: 'invalid_token', error_description: err.message });
});

const server = app.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => {
  console.log(\`listening on http://127.0.0.1:\${server.address().port}\`);
});
`;
}

export const expressJwtRecipe: Recipe = {
  id: 'express-jwt',
  title: 'Express API (express-jwt + jwks-rsa)',
  kind: 'resource-server',
  summary: 'A Node.js API that accepts this client’s JWT access tokens, verified against the JWKS.',
  exercisedBy: 'test/interop/verifiers.test.ts',
  accessTokenFormat: 'jwt',
  render: (input) => [{ name: EXPRESS_JWT_API_FILE, language: 'javascript', content: apiMjs(input) }],
};
