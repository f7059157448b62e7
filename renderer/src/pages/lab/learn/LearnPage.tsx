import { Anchor, Code, List, Paper, SimpleGrid, Stack, Text, Timeline, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import { Page } from '../../../components/Page';

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
    <Page title="Learn: tokens in five minutes">
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
      <Section title="The QA lab: does your API reject what it must?">
        <Text size="sm">
          Signing in working proves little: a service is safe when it <b>refuses</b> every token it must.
          Tokens can be wrong in many ways, and each is a check your API has to make (or leave to a library
          configured to make it):
        </Text>
        <List size="sm" spacing={2}>
          <List.Item>
            <b>Time</b>: expired, not yet valid (<Code>nbf</Code>), issued in the future, no <Code>exp</Code>{' '}
            at all, and reference tokens that expired or were revoked.
          </List.Item>
          <List.Item>
            <b>Who and for whom</b>: another issuer (<Code>iss</Code>), another API or none (<Code>aud</Code>
            ), a scope lacking what the endpoint needs.
          </List.Item>
          <List.Item>
            <b>What kind</b>: an ID token, a refresh token or a plain JWT where an access token (
            <Code>typ: at+jwt</Code>, RFC 9068) is required.
          </List.Item>
          <List.Item>
            <b>The signature</b>: <Code>alg: none</Code>, HS256 signed with the public key (algorithm
            confusion), an unknown or retired <Code>kid</Code>, a foreign key under a known <Code>kid</Code>,
            a payload changed after signing, an unknown <Code>crit</Code> extension, and <Code>jku</Code>/
            <Code>x5u</Code>/<Code>jwk</Code> headers that point at keys an attacker controls.
          </List.Item>
          <List.Item>
            <b>Size</b>: a token over 8 kB, which proxies and servers may refuse before your code sees it.
          </List.Item>
        </List>
        <Text size="sm">
          <Anchor href="#/lab/bad-tokens">Bad tokens</Anchor> makes each of them from one good token (the{' '}
          <i>baseline</i>), with what a correct resource server must do and the RFC section that says so, the
          decoded token and a curl line. Each is recorded like any other token, with its flaws, so the Tokens
          page, the timeline and Activity show them; the forged ones too, though the provider itself would
          never accept them.
        </Text>
        <Text size="sm">
          <Anchor href="#/lab/check-api">Check my API</Anchor> is the attack run: it sends the baseline to an
          endpoint of your service first — it must be accepted, or the run stops, because rejecting bad tokens
          means nothing from an API that rejects everything — then every bad token, one request each. A bad
          token your API answers with an accepted status (2xx by default) is <b>wrongly accepted</b>: that is
          a finding, a hole to fix. Rejected is what should happen; an error means the request failed (a
          timeout, a refused connection) and proves nothing either way. Export the report as JSON or JUnit XML
          for CI, or run <Code>idp-sandbox check-api</Code> there, which fails when anything was wrongly
          accepted.
        </Text>
      </Section>
      <Section title="Time and trouble on demand: the provider clock and faults">
        <Text size="sm">
          The <b>provider clock</b> (Clock, in the header) moves the provider's time: jump five minutes, an
          hour or a day ahead, or to a date, and every expiry, lifetime and introspection answer follows, so a
          five-minute token is expired at once instead of in five minutes. The header says so whenever the
          clock is moved. <b>Issuing skew</b> stamps new tokens as if the clock were a little ahead or behind,
          to test how much leeway your service allows for clocks that disagree.
        </Text>
        <Text size="sm">
          <Anchor href="#/lab/faults">Faults</Anchor> make an endpoint slow, failing (500, 503, 429 with
          Retry-After), answer a chosen OAuth error such as <Code>invalid_grant</Code> on the next refresh,
          cut the connection, serve a key set without the current key (a stale cache), or a discovery document
          naming another issuer — for the next few requests, for a while, or until turned off. A banner shows
          every fault that is on, on every page.
        </Text>
      </Section>
      <Text size="sm" c="dimmed">
        Try it: <Anchor href="#/lab/playground">run a flow</Anchor>,{' '}
        <Anchor href="#/lab/mint">mint a token</Anchor> and <Anchor href="#/lab/inspector">inspect it</Anchor>
        , and watch it live on the <Anchor href="#/lab/timeline">timeline</Anchor>.
      </Text>
    </Page>
  );
}
