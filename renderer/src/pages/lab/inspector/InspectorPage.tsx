import { Alert, Button, EmptyState, Group, Paper, Text } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { decodeProtectedHeader, type JSONWebKeySet } from 'jose';
import { type ReactNode, useEffect, useMemo, useState } from 'react';
import { inspectJwt } from '../../../../../shared/jwt-inspect';
import { bearerHeaderBytes } from '../../../../../shared/token-size';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { Page, Panel } from '../../../components/Page';
import { QueryState } from '../../../components/QueryState';
import { TokenSizeNote } from '../../../components/TokenSizeNote';
import { useAdminQuery, useEngineInfo } from '../../../data/contract-queries';
import { errorMessage } from '../../../lib/errors';
import { takeInspectorToken } from '../handoff';
import { parsePastedKeys, useProviderJwks } from '../jwks';
import { LabIntro } from '../LabIntro';
import { Findings } from './Findings';
import { JwtParts } from './JwtParts';
import { ProviderKnowledge } from './ProviderKnowledge';
import { LabMadeNote, type Resigned, ResignPanel } from './ResignPanel';
import { TokenCompare } from './TokenCompare';
import { decodeParts } from './token-diff';
import { VerificationOptions, type VerificationSettings } from './VerificationOptions';

function looksLikeJwt(value: string): boolean {
  return value.split('.').length === 3;
}

function headerOf(token: string): { alg?: string; kid?: string } | null {
  try {
    return decodeProtectedHeader(token) as { alg?: string; kid?: string };
  } catch {
    return null;
  }
}

/** Runs the shared inspector analysis; re-run every few seconds so expiry findings stay true. */
function useInspection(
  token: string,
  settings: VerificationSettings,
  providerJwks: JSONWebKeySet | undefined,
  retiredKeys: ReadonlyArray<{ kid: string; retired_at: string | null }>,
) {
  const enabled = looksLikeJwt(token) && (settings.keyMode !== 'provider' || Boolean(providerJwks));
  return useQuery({
    queryKey: ['lab.inspect', token, settings, providerJwks, retiredKeys],
    enabled,
    refetchInterval: 5000,
    placeholderData: (previous) => previous,
    queryFn: async () => {
      let jwks: JSONWebKeySet | null = null;
      let keyNotes: string[] = [];
      let keyError: string | null = null;
      if (settings.keyMode === 'provider') jwks = providerJwks ?? null;
      if (settings.keyMode === 'pasted' && settings.pastedKey.trim()) {
        try {
          const parsed = await parsePastedKeys(settings.pastedKey, headerOf(token));
          jwks = parsed.jwks;
          keyNotes = parsed.notes;
        } catch (error) {
          keyError = errorMessage(error);
        }
      }
      const result = await inspectJwt(token, {
        jwks,
        expectedIssuer: settings.issuer.trim() || null,
        expectedAudience: settings.audience.trim() || null,
        clockSkewSeconds: settings.skew,
        // Only this provider's retired keys say anything about a token checked against its JWKS.
        retiredKeys: settings.keyMode === 'provider' ? retiredKeys : [],
      });
      return { token, result, keyNotes, keyError };
    },
  });
}

type Tool = 'resign' | 'compare';

/** A button that opens one of the inspector's tools, or closes it when it is the open one. */
function ToolButton({
  tool,
  current,
  onToggle,
  children,
}: {
  tool: Tool;
  current: Tool | null;
  onToggle: (tool: Tool | null) => void;
  children: ReactNode;
}) {
  const open = current === tool;
  return (
    <Button
      size="xs"
      variant={open ? 'filled' : 'light'}
      aria-pressed={open}
      onClick={() => onToggle(open ? null : tool)}
    >
      {children}
    </Button>
  );
}

export function InspectorPage() {
  const info = useEngineInfo();
  const issuer = info.data?.issuer;
  const providerJwks = useProviderJwks(issuer);
  const [input, setInput] = useState(() => takeInspectorToken() ?? '');
  const [debounced] = useDebouncedValue(input.trim(), 250);
  const [settings, setSettings] = useState<VerificationSettings>({
    keyMode: 'provider',
    pastedKey: '',
    issuer: '',
    audience: '',
    skew: 0,
  });
  // The provider's issuer is the default expectation once it is known.
  useEffect(() => {
    if (issuer) setSettings((current) => (current.issuer ? current : { ...current, issuer }));
  }, [issuer]);

  const token = debounced;
  const isJwt = looksLikeJwt(token);
  const decoded = useMemo(() => (isJwt ? decodeParts(token) : null), [isJwt, token]);
  const [tool, setTool] = useState<Tool | null>(null);
  // The last token this page re-signed: marked as lab-made while it is the one inspected.
  const [resigned, setResigned] = useState<Resigned | null>(null);
  const keys = useAdminQuery('keys.list');
  const retiredKeys = (keys.data ?? []).filter((key) => key.status === 'retired');
  const inspection = useInspection(token, settings, providerJwks.data?.jwks, retiredKeys);
  // While options change the previous answer stays up; for another token it is not shown.
  const data = isJwt && inspection.data?.token === token ? inspection.data : undefined;
  const keySource =
    settings.keyMode === 'provider'
      ? (providerJwks.data?.source ?? null)
      : settings.keyMode === 'pasted'
        ? 'the pasted key'
        : null;

  return (
    <Page title="Token inspector">
      <LabIntro title="See what a token says, and whether to trust it">
        Paste a JWT to see its header, claims and signature apart, each claim explained, and what a careful
        API would say about it. Paste a reference (opaque) token to see what this provider knows about it:
        only the issuer can tell what a random string means.
      </LabIntro>
      <Panel>
        <CodeTextarea
          label="Token"
          description="A JWT (three base64url parts separated by dots) or a reference token. It stays on this machine."
          placeholder="eyJhbGciOi… or a reference token"
          value={input}
          onChange={setInput}
          minRows={3}
          maxRows={8}
          small
        />
        <Group gap="xs">
          <Button size="xs" variant="default" onClick={() => setInput('')} disabled={!input}>
            Clear
          </Button>
          {decoded && (
            <>
              <ToolButton tool="resign" current={tool} onToggle={setTool}>
                Edit and re-sign
              </ToolButton>
              <ToolButton tool="compare" current={tool} onToggle={setTool}>
                Compare with…
              </ToolButton>
            </>
          )}
        </Group>
        {isJwt && <VerificationOptions value={settings} onChange={setSettings} providerIssuer={issuer} />}
      </Panel>

      {decoded && tool === 'resign' && (
        <ResignPanel
          key={token}
          decoded={decoded}
          onResigned={(result) => {
            setResigned(result);
            setInput(result.value);
          }}
        />
      )}
      {decoded && tool === 'compare' && <TokenCompare first={decoded} />}
      {resigned && resigned.value === token && <LabMadeNote resigned={resigned} />}

      {!token && (
        <EmptyState
          title="Paste a token to inspect it"
          description="Copy one from a token’s details on the Tokens page, mint one on the Mint page, or take one from your app’s logs or requests."
        />
      )}

      {isJwt && settings.keyMode === 'provider' && providerJwks.isError && (
        <QueryState query={providerJwks} what="this provider's JWKS" />
      )}
      <ErrorAlert title="Could not inspect this token" error={isJwt ? inspection.error : null} />
      <ErrorAlert title="The pasted key cannot be used" error={data?.keyError} />
      {data && data.keyNotes.length > 0 && (
        <Alert color="blue" title="About the pasted key">
          {data.keyNotes.map((note) => (
            <Text size="sm" key={note}>
              {note}
            </Text>
          ))}
        </Alert>
      )}
      {token && <TokenSizeNote bytes={bearerHeaderBytes(token)} />}
      {data && (
        <Paper withBorder p="md" role="region" aria-label="Findings">
          <Findings findings={data.result.findings} />
        </Paper>
      )}
      {data?.result.header && data.result.payload && (
        <JwtParts
          token={token}
          header={data.result.header}
          payload={data.result.payload}
          signature={data.result.signature}
          valid={data.result.signatureValid}
          unverifiable={data.result.unverifiable}
          keySource={keySource}
        />
      )}
      {token && !isJwt && (
        <Alert color="blue" title="A reference (opaque) token">
          Not a JWT: there is nothing to decode. A reference token is a random handle; an API learns what it
          stands for only by asking the provider (introspection), which is also why revoking it works at once.
        </Alert>
      )}
      {token && <ProviderKnowledge value={token} isJwt={isJwt} />}
    </Page>
  );
}
