import { Anchor, Code, List, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import type { ReactNode } from 'react';

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Paper withBorder p="md" component="section" aria-label={title}>
      <Stack gap="xs">
        <Title order={3} size="h4">
          {title}
        </Title>
        {children}
      </Stack>
    </Paper>
  );
}

/** Short explanations for developers: the three tokens, the two formats, and a token's life. */
export function LearnPage() {
  return (
    <Stack>
      <Title order={2}>Learn: tokens in five minutes</Title>
      <SimpleGrid cols={{ base: 1, lg: 3 }}>
        <Section title="Access token">
          <Text size="sm">
            What a client sends to an API: <Code>Authorization: Bearer …</Code>. It says which client may do
            what (<Code>scope</Code>) on whose behalf (<Code>sub</Code>), for which API (<Code>aud</Code>),
            until when (<Code>exp</Code>). The API, not the client, is its audience: clients should treat it
            as opaque.
          </Text>
          <Text size="sm">
            Keep it short-lived (minutes). Whoever holds it can use it — it is a bearer token.
          </Text>
        </Section>
        <Section title="Refresh token">
          <Text size="sm">
            A long-lived credential the client keeps to itself and sends only to the provider’s token
            endpoint, to get new access tokens without asking the user to sign in again.
          </Text>
          <Text size="sm">
            Here every use <b>rotates</b> it: the old one is spent and a new one comes back. If a spent
            refresh token is ever presented again, someone copied it, so the provider revokes the whole family
            (the grant) — <i>reuse detection</i>.
          </Text>
        </Section>
        <Section title="ID token">
          <Text size="sm">
            OpenID Connect’s proof of sign-in, for the <b>client</b>: who the user is (<Code>sub</Code>,
            profile claims), when and how they signed in (<Code>auth_time</Code>, <Code>amr</Code>), bound to
            the request by <Code>nonce</Code>. Its audience is the client_id.
          </Text>
          <Text size="sm">Never send an ID token to an API as if it were an access token.</Text>
        </Section>
      </SimpleGrid>
      <Section title="Reference vs structured (JWT) tokens">
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Structured: a JWT
            </Text>
            <List size="sm" spacing={2}>
              <List.Item>
                Claims plus a signature, base64url-encoded: readable by anyone, not encrypted.
              </List.Item>
              <List.Item>
                An API verifies it alone with the provider’s public keys (the JWKS): fast, offline.
              </List.Item>
              <List.Item>
                Revocation is invisible to APIs that do not introspect: it stays valid until <Code>exp</Code>.
              </List.Item>
            </List>
          </Stack>
          <Stack gap={4}>
            <Text size="sm" fw={600}>
              Reference: an opaque handle
            </Text>
            <List size="sm" spacing={2}>
              <List.Item>
                An id and a random secret; the meaning is stored at the provider (here the secret only as a
                hash).
              </List.Item>
              <List.Item>
                An API must ask the provider (introspection, RFC 7662) on each request, or cache.
              </List.Item>
              <List.Item>Revocation works at once; the claims stay private.</List.Item>
            </List>
          </Stack>
        </SimpleGrid>
        <Text size="sm">
          See it happen in <Anchor href="#/lab/compare">Reference vs JWT</Anchor>.
        </Text>
      </Section>
      <Section title="The token lifecycle">
        <Timeline active={4} bulletSize={18} lineWidth={2} aria-label="Token lifecycle">
          <Timeline.Item title="Issued">
            <Text size="sm" c="dimmed">
              At the token endpoint, after a sign-in (authorization code), for a service (client credentials),
              or from a refresh. The timeline draws the bar from here…
            </Text>
          </Timeline.Item>
          <Timeline.Item title="Used">
            <Text size="sm" c="dimmed">
              Sent to APIs as a Bearer token; they verify it locally or introspect it (a dot on the timeline).
            </Text>
          </Timeline.Item>
          <Timeline.Item title="Refreshed">
            <Text size="sm" c="dimmed">
              Before the access token expires, the client uses its refresh token: new tokens come back and the
              old refresh token is rotated (a connector from parent to children on the timeline).
            </Text>
          </Timeline.Item>
          <Timeline.Item title="Expired or revoked">
            <Text size="sm" c="dimmed">
              …to <Code>exp</Code>, when every API must reject it. Or earlier: revoked by the client (RFC
              7009), by an admin, by logout, or by reuse detection. Revocation reaches JWT users only through
              introspection.
            </Text>
          </Timeline.Item>
        </Timeline>
      </Section>
      <Text size="sm" c="dimmed">
        Try it: <Anchor href="#/lab/playground">run a flow</Anchor>,{' '}
        <Anchor href="#/lab/mint">mint a token</Anchor> and <Anchor href="#/lab/inspector">inspect it</Anchor>
        , and watch it live on the <Anchor href="#/lab/timeline">timeline</Anchor>.
      </Text>
    </Stack>
  );
}
