import { goQuote as go } from '../quote';
import type { Recipe, RecipeInput } from './types';

export const GO_OIDC_FILE = 'main.go';

function mainGo({ issuer, client }: RecipeInput): string {
  return `// A Go backend that ${client.client_id}'s frontend sends its ID token to: coreos/go-oidc checks the
// signature against the provider's keys, the issuer, the audience (the client ID) and the expiry.
//
//   Debian/Ubuntu packages (go-oidc v2, imported as "github.com/coreos/go-oidc"):
//     apt-get install golang-go golang-github-coreos-go-oidc-dev
//     GO111MODULE=off GOPATH=/usr/share/gocode go build -o verifier ${GO_OIDC_FILE}
//   Go modules (v3, same API): go get github.com/coreos/go-oidc/v3/oidc and import that path instead.
//
//   PORT=8080 ./verifier
//   curl -H "Authorization: Bearer $ID_TOKEN" http://127.0.0.1:8080/me

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"strings"

	oidc "github.com/coreos/go-oidc"
)

const (
	issuer   = ${go(issuer)}
	clientID = ${go(client.client_id)}
)

func main() {
	// Reads the discovery document once. The key set is fetched again whenever a token is signed with a key
	// not seen yet, so a key rotation needs no restart.
	provider, err := oidc.NewProvider(context.Background(), issuer)
	if err != nil {
		log.Fatalf("discovery of %s failed: %v", issuer, err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: clientID})

	http.HandleFunc("/me", func(w http.ResponseWriter, r *http.Request) {
		authorization := r.Header.Get("Authorization")
		if !strings.HasPrefix(authorization, "Bearer ") {
			unauthorized(w, "a Bearer ID token is required")
			return
		}
		idToken, err := verifier.Verify(r.Context(), strings.TrimPrefix(authorization, "Bearer "))
		if err != nil {
			unauthorized(w, err.Error())
			return
		}
		// The claims the ID token carried, as the backend sees them.
		var claims map[string]interface{}
		if err := idToken.Claims(&claims); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(claims)
	})

	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	listener, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("listening on http://%s\\n", listener.Addr())
	log.Fatal(http.Serve(listener, nil))
}

func unauthorized(w http.ResponseWriter, reason string) {
	w.Header().Set("WWW-Authenticate", \`Bearer error="invalid_token"\`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	json.NewEncoder(w).Encode(map[string]string{"error": "invalid_token", "error_description": reason})
}
`;
}

export const goOidcRecipe: Recipe = {
  id: 'go-oidc',
  title: 'Go backend (coreos/go-oidc)',
  kind: 'resource-server',
  summary:
    'A Go service that verifies this client’s ID tokens with go-oidc (discovery, JWKS, audience = client ID).',
  exercisedBy: 'test/interop/verifiers.test.ts',
  render: (input) => [{ name: GO_OIDC_FILE, language: 'go', content: mainGo(input) }],
};
