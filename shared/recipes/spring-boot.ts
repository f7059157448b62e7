import { yamlQuote } from '../quote';
import type { Recipe, RecipeInput } from './types';
import { expectedAudience, formatMismatch, introspectionEndpoint, isPublicClient, quoted } from './values';

/**
 * A YAML value Spring takes as it is: Spring resolves `${…}` in property values, and Spring Boot 3.4+
 * (Spring Framework 6.2) reads `\${` as a literal `${`.
 */
const springValue = (value: string) => yamlQuote(value.replaceAll('${', '\\${'));

/** Says why a value shows `\${`, when one does. */
function placeholderNote(values: string[]): string {
  if (!values.some((value) => value.includes('${'))) return '';
  // biome-ignore lint/suspicious/noTemplateCurlyInString: Spring's placeholder syntax, named in the note
  return '# Spring would read ${…} in a value as a placeholder: \\${ (Spring Boot 3.4+) keeps it literal.\n';
}

function jwtYaml(input: RecipeInput): string {
  return `# Spring Boot 3.5+ (Spring Security 6.5+) with org.springframework.boot:spring-boot-starter-oauth2-resource-server
${formatMismatch(input.client, 'jwt', '#')}${placeholderNote([input.issuer])}spring:
  security:
    oauth2:
      resourceserver:
        jwt:
          # Read at start-up from <issuer>/.well-known/openid-configuration (plain http is fine): start the
          # sandbox first. Keys are then fetched from its JWKS, rotated keys included.
          issuer-uri: ${springValue(input.issuer)}
`;
}

function jwtConfigJava(input: RecipeInput): string {
  const { client } = input;
  return `package com.example.api;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidators;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;

@Configuration
class JwtConfig {
  /**
   * The sandbox's access tokens are RFC 9068 JWTs (header typ "at+jwt"), which Spring's default decoder
   * refuses ("the given typ value needs to be one of [JWT]"). This decoder checks them as RFC 9068 says:
   * typ, issuer, audience, client_id, exp, iat, sub and jti.
   */
  @Bean
  JwtDecoder jwtDecoder(@Value("\${spring.security.oauth2.resourceserver.jwt.issuer-uri}") String issuer) {
    NimbusJwtDecoder decoder = NimbusJwtDecoder.withIssuerLocation(issuer).validateType(false).build();
    decoder.setJwtValidator(JwtValidators.createAtJwtValidator()
        .issuer(issuer)
        .audience(${quoted(expectedAudience(client))})
        .clientId(${quoted(client.client_id)})
        .build());
    return decoder;
  }
}
`;
}

function opaqueYaml(input: RecipeInput): string {
  const { issuer, client } = input;
  const publicClient = isPublicClient(client);
  const clientId = publicClient ? 'a-confidential-client' : client.client_id;
  const clientSecret = publicClient ? 'its-secret' : (client.client_secret ?? '');
  const notes = [
    formatMismatch(input.client, 'reference', '#'),
    placeholderNote([issuer, clientId, clientSecret]),
    publicClient
      ? `# ${client.client_id} is a public client, and only a confidential client may call introspection: put the
# id and secret of a confidential client (client_secret_basic) of the sandbox below. It sees only tokens with its
# client_id in their aud (add it to this client's audience), unless it has introspect_any_token (a gateway).\n`
      : '',
    client.token_endpoint_auth_method === 'client_secret_post'
      ? `# Spring sends these credentials with HTTP Basic, and the sandbox accepts only the method a client is
# registered with: register this client (or another one for the API) as client_secret_basic.\n`
      : '',
  ].join('');
  return `# Spring Boot 3+ with org.springframework.boot:spring-boot-starter-oauth2-resource-server
${notes}spring:
  security:
    oauth2:
      resourceserver:
        opaquetoken:
          # Asked for every request, so a revoked token is refused at once.
          introspection-uri: ${springValue(introspectionEndpoint(issuer))}
          client-id: ${springValue(clientId)}
          client-secret: ${springValue(clientSecret)}
`;
}

export const springBootJwtRecipe: Recipe = {
  id: 'spring-boot-jwt',
  title: 'Spring Boot resource server (JWT)',
  kind: 'resource-server',
  summary: 'A Spring Boot API verifying JWT access tokens locally against the JWKS.',
  exercisedBy: null,
  accessTokenFormat: 'jwt',
  render(input) {
    return [
      { name: 'application.yml', language: 'yaml', content: jwtYaml(input) },
      { name: 'JwtConfig.java', language: 'java', content: jwtConfigJava(input) },
    ];
  },
};

export const springBootOpaqueRecipe: Recipe = {
  id: 'spring-boot-opaque',
  title: 'Spring Boot resource server (reference tokens, introspection)',
  kind: 'resource-server',
  summary: 'A Spring Boot API asking the introspection endpoint about each token: for reference tokens.',
  exercisedBy: null,
  accessTokenFormat: 'reference',
  render(input) {
    return [{ name: 'application.yml', language: 'yaml', content: opaqueYaml(input) }];
  },
};
