import { pythonQuote as py, pythonDocText } from '../quote';
import type { Recipe, RecipeInput } from './types';
import { expectedAudience, PYTHON_JSON_API_TAIL } from './values';

export const PYJWT_API_FILE = 'api.py';

function apiPy(input: RecipeInput): string {
  return `"""An API accepting the JWT access tokens that ${pythonDocText(input.client.client_id)} gets, checked against the
provider's signing keys with PyJWT's PyJWKClient (standard library HTTP server, nothing else needed).

    pip install "pyjwt[crypto]"      (Debian/Ubuntu: apt-get install python3-jwt python3-cryptography)
    PORT=8000 python3 ${PYJWT_API_FILE}
    curl -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:8000/api/me
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt

ISSUER = ${py(input.issuer)}
# The API's identifier: tokens for any other audience are refused.
AUDIENCE = ${py(expectedAudience(input.client))}

# The key set is cached for 5 minutes; a token signed with a kid not in it (after a key rotation) makes the
# client fetch it again.
jwks_client = jwt.PyJWKClient(f"{ISSUER}/jwks")


def verify(authorization):
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise jwt.InvalidTokenError("a Bearer token is required")
    signing_key = jwks_client.get_signing_key_from_jwt(token)
    return jwt.decode(token, signing_key.key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/api/me":
            return self.answer(404, {"error": "not_found"})
        try:
            claims = verify(self.headers.get("Authorization"))
        except jwt.PyJWTError as error:
            return self.answer(
                401,
                {"error": "invalid_token", "error_description": str(error)},
                {"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        # The claims the token carried, as the API sees them.
        self.answer(200, claims)

${PYTHON_JSON_API_TAIL}`;
}

export const pyjwtRecipe: Recipe = {
  id: 'pyjwt',
  title: 'Python API (PyJWT)',
  kind: 'resource-server',
  summary:
    'A Python API that accepts this client’s JWT access tokens, verified with PyJWKClient against the JWKS.',
  exercisedBy: 'test/interop/verifiers.test.ts',
  accessTokenFormat: 'jwt',
  render: (input) => [{ name: PYJWT_API_FILE, language: 'python', content: apiPy(input) }],
};
