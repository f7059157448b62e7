import { pythonDocText, pythonQuote } from '../quote';
import type { Recipe, RecipeInput } from './types';
import { expectedAudience, introspectionEndpoint, PYTHON_JSON_API_TAIL } from './values';

export const AUTHLIB_API_FILE = 'api.py';
export const AUTHLIB_CLIENT_FILE = 'client.py';

const py = (value: string | null) => (value === null ? 'None' : pythonQuote(value));

/** The client's credentials and endpoints, the same in both files. */
function settings(input: RecipeInput): string {
  const { issuer, client } = input;
  return `ISSUER = ${py(issuer)}
CLIENT_ID = ${py(client.client_id)}
CLIENT_SECRET = ${py(client.client_secret)}
TOKEN_ENDPOINT = f"{ISSUER}/token"
INTROSPECTION_ENDPOINT = ${py(introspectionEndpoint(issuer))}
REVOCATION_ENDPOINT = f"{ISSUER}/revoke"

session = OAuth2Session(
    CLIENT_ID,
    CLIENT_SECRET,
    token_endpoint_auth_method=${py(client.token_endpoint_auth_method)},
    revocation_endpoint_auth_method=${py(client.token_endpoint_auth_method)},
)`;
}

function apiPy(input: RecipeInput): string {
  return `"""An API accepting the access tokens that ${pythonDocText(input.client.client_id)} gets, reference or JWT, by asking the
provider about each one (token introspection, RFC 7662) with authlib. The provider answers "inactive" as soon
as a token is revoked, expires or its signing key is retired, so the API refuses it at once.

    pip install authlib requests      (Debian/Ubuntu: apt-get install python3-authlib python3-requests)
    PORT=8000 python3 ${AUTHLIB_API_FILE}
    curl -H "Authorization: Bearer $ACCESS_TOKEN" http://127.0.0.1:8000/api/me
"""
import json
import os
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2 import OAuth2Error, ResourceProtector
from authlib.oauth2.rfc6749 import HttpRequest
from authlib.oauth2.rfc6750 import InvalidTokenError
from authlib.oauth2.rfc7662 import IntrospectTokenValidator

${settings(input)}
# The API's identifier: tokens for any other audience are refused.
AUDIENCE = ${py(expectedAudience(input.client))}


class ProviderIntrospection(IntrospectTokenValidator):
    # Asked on every request, so a revoked token is refused at once. An API far from the provider may cache
    # answers for a few seconds, at the cost of accepting a revoked token that long.
    def introspect_token(self, token_string):
        response = session.introspect_token(INTROSPECTION_ENDPOINT, token=token_string, token_type_hint="access_token")
        response.raise_for_status()
        return response.json()

    def validate_token(self, token, scopes, request):
        super().validate_token(token, scopes, request)
        audience = token.get("aud")
        if AUDIENCE not in (audience if isinstance(audience, list) else [audience]):
            raise InvalidTokenError(description="the token is not for this API")


require_oauth = ResourceProtector()
require_oauth.register_token_validator(ProviderIntrospection())


class Api(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path != "/api/me":
            return self.answer(404, {"error": "not_found"})
        try:
            token = require_oauth.validate_request(None, HttpRequest("GET", self.path, headers=self.headers))
        except OAuth2Error as error:
            status, body, headers = error()
            return self.answer(status, dict(body), dict(headers))
        # What the provider said about the token, as the API sees it.
        self.answer(200, token)

${PYTHON_JSON_API_TAIL}`;
}

function clientPy(input: RecipeInput): string {
  return `"""What a service holding ${pythonDocText(input.client.client_id)}'s tokens does with authlib: get one (client credentials),
ask the provider about it (introspection, RFC 7662) and revoke it when done with it (RFC 7009).

    pip install authlib requests      (Debian/Ubuntu: apt-get install python3-authlib python3-requests)
    python3 ${AUTHLIB_CLIENT_FILE} token              prints a new access token
    python3 ${AUTHLIB_CLIENT_FILE} introspect TOKEN   prints what the provider says about it
    python3 ${AUTHLIB_CLIENT_FILE} revoke TOKEN       revokes it
"""
import json
import sys

from authlib.integrations.requests_client import OAuth2Session

${settings(input)}


def main(command, token=None):
    if command == "token":
        print(session.fetch_token(TOKEN_ENDPOINT, grant_type="client_credentials")["access_token"])
    elif command == "introspect":
        response = session.introspect_token(INTROSPECTION_ENDPOINT, token=token, token_type_hint="access_token")
        response.raise_for_status()
        print(json.dumps(response.json()))
    elif command == "revoke":
        response = session.revoke_token(REVOCATION_ENDPOINT, token=token, token_type_hint="access_token")
        response.raise_for_status()
        print("revoked")
    else:
        sys.exit(__doc__)


main(*(sys.argv[1:] or ["help"]))
`;
}

export const authlibRecipe: Recipe = {
  id: 'authlib',
  title: 'Python API and client (authlib)',
  kind: 'resource-server',
  summary:
    'A Python API that checks each token by introspection (reference tokens too), and a client that fetches, introspects and revokes tokens.',
  exercisedBy: 'test/interop/verifiers.test.ts',
  render: (input) => [
    { name: AUTHLIB_API_FILE, language: 'python', content: apiPy(input) },
    { name: AUTHLIB_CLIENT_FILE, language: 'python', content: clientPy(input) },
  ],
};
