// A service using golang.org/x/oauth2/jwt, unmodified: its jwt.Config does the RFC 7523 two-legged
// flow (iss = Email, sub = Subject, aud = TokenURL, RS256 with a PEM key) at the provider's token
// endpoint, then calls userinfo with the token it got. Prints one JSON object.
//
// Usage: jwt-bearer <issuer> <client_id> <client_secret> <assertion issuer> <kid> <key.pem> <subject>
package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/jwt"
)

// basicAuth sends the client's credentials: jwt.Config identifies no client, and the provider
// authenticates the client of a jwt-bearer request as for any grant (RFC 7523 §3.1). The oauth2
// package takes its HTTP client from the context (oauth2.HTTPClient), which is where this goes.
type basicAuth struct {
	id, secret string
}

func (b basicAuth) RoundTrip(request *http.Request) (*http.Response, error) {
	clone := request.Clone(request.Context())
	clone.SetBasicAuth(b.id, b.secret)
	return http.DefaultTransport.RoundTrip(clone)
}

func emit(value map[string]interface{}) {
	out, _ := json.Marshal(value)
	os.Stdout.Write(append(out, '\n'))
}

func main() {
	issuer, clientID, secret, assertionIssuer, kid, keyFile, subject :=
		os.Args[1], os.Args[2], os.Args[3], os.Args[4], os.Args[5], os.Args[6], os.Args[7]
	key, err := os.ReadFile(keyFile)
	if err != nil {
		panic(err)
	}
	config := &jwt.Config{
		Email:        assertionIssuer,
		PrivateKey:   key,
		PrivateKeyID: kid,
		Subject:      subject,
		TokenURL:     issuer + "/token",
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{
		Transport: basicAuth{clientID, secret},
	})
	token, err := config.TokenSource(ctx).Token()
	if err != nil {
		emit(map[string]interface{}{"refused": err.Error()})
		return
	}
	// The token as any oauth2 client sends it: a Bearer header on a plain client.
	api := oauth2.NewClient(context.Background(), oauth2.StaticTokenSource(token))
	response, err := api.Get(issuer + "/userinfo")
	if err != nil {
		panic(err)
	}
	defer response.Body.Close()
	body, _ := io.ReadAll(response.Body)
	var userinfo interface{}
	json.Unmarshal(body, &userinfo)
	emit(map[string]interface{}{
		"access_token":    token.AccessToken,
		"token_type":      token.TokenType,
		"refresh_token":   token.RefreshToken,
		"scope":           token.Extra("scope"),
		"userinfo_status": response.StatusCode,
		"userinfo":        userinfo,
	})
}
