import { Alert, Anchor, Button, Code, EmptyState, Group, List, SimpleGrid, Text } from '@mantine/core';
import { useState } from 'react';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { QueryState } from '../../../components/QueryState';
import { useAdminMutation, useAdminQuery, useEngineInfo } from '../../../data/contract-queries';
import { errorMessage } from '../../../lib/errors';
import { useProviderJwks } from '../jwks';
import { LabIntro } from '../LabIntro';
import { TokenClientSelect, TokenUserSelect } from '../TokenSelects';
import { checkPair, type Minted, type PairCheck } from './checks';
import { type CheckRow, TokenColumn } from './TokenColumn';
import { TradeOffs } from './TradeOffs';

interface Demo {
  jwt: Minted;
  reference: Minted;
  before: PairCheck;
  after: PairCheck | null;
}

const VERIFIES = { yes: 'accepted', no: 'rejected' };
const INTROSPECTION = { yes: 'active', no: 'inactive' };

/** One check of the demo, before and after the revocation, in the words its kind of check uses. */
function checkRow(
  demo: Demo,
  id: string,
  label: string,
  check: 'jwtVerifies' | 'jwtIntrospectionActive' | 'referenceIntrospectionActive',
): CheckRow {
  const words = check === 'jwtVerifies' ? VERIFIES : INTROSPECTION;
  return { ...words, id, label, before: demo.before[check], after: demo.after?.[check] ?? null };
}

function decodedPayload(value: string): string {
  try {
    const part = value.split('.')[1] ?? '';
    const json = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.stringify(
      JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0)))),
      null,
      2,
    );
  } catch {
    return '(cannot decode)';
  }
}

export function ComparePage() {
  const info = useEngineInfo();
  const issuer = info.data?.issuer;
  const jwks = useProviderJwks(issuer);
  const clients = useAdminQuery('clients.list');
  const users = useAdminQuery('users.list');
  const { mutateAsync: mint } = useAdminMutation('tokens.mint');
  const { mutateAsync: revoke } = useAdminMutation('tokens.revoke');
  const [clientId, setClientId] = useState<string | null>(null);
  const [username, setUsername] = useState<string | null>(null);
  const [demo, setDemo] = useState<Demo | null>(null);
  const [busy, setBusy] = useState<'mint' | 'revoke' | null>(null);
  const [error, setError] = useState<string | null>(null);

  const client = clientId ?? clients.data?.[0]?.client_id ?? null;
  const ready = Boolean(client && issuer && jwks.data);

  const run = async (what: 'mint' | 'revoke', action: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };

  const mintBoth = () =>
    run('mint', async () => {
      if (!client || !issuer || !jwks.data) return;
      const base = { client_id: client, kind: 'access' as const, ...(username ? { username } : {}) };
      const [jwt, reference] = await Promise.all([
        mint({ ...base, format: 'jwt' }),
        mint({ ...base, format: 'reference' }),
      ]);
      const before = await checkPair({ jwt, reference }, jwks.data.jwks, issuer);
      setDemo({ jwt, reference, before, after: null });
    });

  const revokeBoth = () =>
    run('revoke', async () => {
      if (!demo || !issuer || !jwks.data) return;
      await revoke({ id: demo.jwt.token.id });
      await revoke({ id: demo.reference.token.id });
      const after = await checkPair(demo, jwks.data.jwks, issuer);
      setDemo({ ...demo, after });
    });

  const revoked = Boolean(demo?.after);

  return (
    <Page title="Reference vs JWT">
      <LabIntro title="Same grant, two formats, one revocation">
        A JWT carries its claims and a signature, so an API can check it alone. A reference token is a random
        handle only the provider can resolve. Mint one of each for the same client and user, revoke both, and
        watch what each kind of API would do next.
      </LabIntro>
      <QueryState query={clients} what="clients" />
      {jwks.isError && <QueryState query={jwks} what="this provider's JWKS" />}
      {clients.data?.length === 0 && (
        <EmptyState
          title="No clients yet"
          description={
            <>
              Tokens are issued to a client: <Anchor href="#/clients">create one</Anchor>, then come back.
            </>
          }
        />
      )}
      {clients.data && clients.data.length > 0 && (
        <Panel>
          <Text fw={600}>1. Issue the same grant twice: once as a JWT, once as a reference token</Text>
          <Group align="flex-end">
            <TokenClientSelect clients={clients.data} value={client} onChange={setClientId} w={220} />
            <TokenUserSelect users={users.data ?? []} value={username} onChange={setUsername} w={220} />
            <Button onClick={mintBoth} loading={busy === 'mint'} disabled={!ready || busy !== null}>
              {demo ? 'Mint a new pair' : 'Mint both tokens'}
            </Button>
          </Group>
          {demo && (
            <>
              <Text fw={600}>2. Revoke both, as an admin would after a leak</Text>
              <Group>
                <Button
                  color="red"
                  onClick={revokeBoth}
                  loading={busy === 'revoke'}
                  disabled={revoked || busy !== null}
                >
                  Revoke both
                </Button>
                {revoked && <Text size="sm">Both revoked. Compare the checks below.</Text>}
              </Group>
            </>
          )}
        </Panel>
      )}
      <ErrorAlert title="That step failed" error={error} />
      {demo && (
        <SimpleGrid cols={{ base: 1, md: 2 }}>
          <TokenColumn
            title="Self-contained JWT"
            minted={demo.jwt}
            revoked={revoked}
            rows={[
              checkRow(
                demo,
                'jwt-local',
                'Verifies locally (signature with the JWKS, issuer, expiry)',
                'jwtVerifies',
              ),
              checkRow(demo, 'jwt-introspection', 'Introspection at the provider', 'jwtIntrospectionActive'),
            ]}
          >
            <Text size="sm">Anyone holding it can read its claims:</Text>
            <Code block style={{ fontSize: 12, maxHeight: 180, overflow: 'auto' }}>
              {decodedPayload(demo.jwt.value)}
            </Code>
          </TokenColumn>
          <TokenColumn
            title="Reference token"
            minted={demo.reference}
            revoked={revoked}
            rows={[
              // Nothing to verify in a random handle: the check does not apply.
              {
                ...VERIFIES,
                id: 'ref-local',
                label: 'Verifies locally',
                before: null,
                after: null,
                na: 'nothing to verify',
              },
              checkRow(
                demo,
                'ref-introspection',
                'Introspection at the provider',
                'referenceIntrospectionActive',
              ),
            ]}
          >
            <Text size="sm">
              Its holder sees only an id and a random secret; what it stands for is stored at the provider
              (the secret only as a hash).
            </Text>
          </TokenColumn>
        </SimpleGrid>
      )}
      {demo?.after && (
        <Alert color="orange" title="What just happened" role="status">
          <List size="sm" spacing={4}>
            <List.Item>
              The JWT is revoked, yet its signature still checks out and it has not expired: an API that only
              verifies locally{' '}
              <b>{demo.after.jwtVerifies ? 'still accepts it' : 'rejects it (it also expired meanwhile)'}</b>{' '}
              until {new Date(demo.jwt.token.expires_at).toLocaleTimeString()}. Only APIs that introspect see
              the revocation.
            </List.Item>
            <List.Item>
              The reference token is{' '}
              <b>{demo.after.referenceIntrospectionActive ? 'still active?!' : 'dead at once'}</b>: every API
              has to ask the provider, and the provider now answers <Code>{'{"active": false}'}</Code>.
            </List.Item>
          </List>
        </Alert>
      )}
      {demo && <TradeOffs jwt={demo.jwt.value} reference={demo.reference.value} />}
    </Page>
  );
}
