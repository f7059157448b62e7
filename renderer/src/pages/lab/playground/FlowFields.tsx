import { Group, Select, Stack, Text } from '@mantine/core';
import { ISSUER_KEY_PAIR_COMMAND, type PlaygroundScenario } from '../../../../../shared/contract';
import type { Client, TrustedIssuer } from '../../../../../shared/schemas';
import { Choice, choiceOptions } from '../../../components/Choice';
import { CodeTextarea } from '../../../components/CodeTextarea';
import { CopyableCode } from '../../../components/CopyableCode';
import { EXCHANGE_MODES, type ExchangeMode, SCENARIOS } from './flows';

/** A private JWK pasted for one run (the engine neither stores nor shows it). */
function PrivateJwkField(props: {
  label: string;
  description: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <CodeTextarea
      {...props}
      placeholder='{"kty":"EC","crv":"P-256","x":"…","y":"…","d":"…","kid":"…"}'
      minRows={2}
      maxRows={6}
      small
    />
  );
}

/** The private JWK of a private_key_jwt client, pasted for one run. */
export function PrivateKeyField({
  client,
  value,
  onChange,
}: {
  client: Client;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <PrivateJwkField
      label={`Private key of ${client.client_id} (JWK)`}
      description={`${client.client_id} authenticates with private_key_jwt: paste the private JWK that “Generate key pair” in its drawer showed once. It signs this run's client assertions and is neither stored nor shown.`}
      value={value}
      onChange={onChange}
    />
  );
}

/** Token exchange: the second client, which exchanges the token, and whether it acts (delegation). */
export function ExchangeFields({
  clients,
  actor,
  onActor,
  mode,
  onMode,
}: {
  clients: Client[];
  actor: string | null;
  onActor: (clientId: string | null) => void;
  mode: ExchangeMode;
  onMode: (mode: ExchangeMode) => void;
}) {
  return (
    <Group align="flex-start" grow>
      <Select
        label="Second client (exchanges the token)"
        description="Clients allowed the token-exchange grant. In delegation it is the actor, with a token of its own."
        placeholder={clients.length ? undefined : 'No client is allowed token exchange'}
        data={clients.map((c) => c.client_id)}
        value={actor}
        onChange={onActor}
        allowDeselect={false}
        searchable
      />
      <Choice
        label="Exchange"
        value={mode}
        onChange={onMode}
        data={choiceOptions(EXCHANGE_MODES)}
        description={undefined}
      />
    </Group>
  );
}

/** JWT bearer: the trusted issuer that signs the assertion, and its private key pasted for the run. */
export function IssuerFields({
  issuers,
  issuer,
  onIssuer,
  value,
  onChange,
}: {
  issuers: TrustedIssuer[];
  issuer: string | null;
  onIssuer: (issuer: string | null) => void;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <Stack gap="xs">
      <Select
        label="Trusted issuer (signs the assertion)"
        description="The issuers in the client's jwt_bearer.trusted_issuers; the assertion's iss."
        data={issuers.map((t) => t.issuer)}
        value={issuer}
        onChange={onIssuer}
        allowDeselect={false}
        searchable
      />
      <PrivateJwkField
        label={`Private key of issuer ${issuer ?? ''} (JWK)`}
        description="The private JWK of the issuer whose public key the client trusts. It signs this run's assertion and is neither stored nor shown. Keys made in Lab → Mint or with the client drawer's “Generate key pair” are client keys, not issuer keys."
        value={value}
        onChange={onChange}
      />
      <Text size="xs" c="dimmed">
        No issuer key at hand? Make a pair with jose, paste the private JWK here, and put the public one in
        this trusted issuer&apos;s JWKS on the Clients page (Edit the client):
      </Text>
      <CopyableCode
        label="Issuer key command"
        text={ISSUER_KEY_PAIR_COMMAND}
        copyLabel="Copy the command"
        copySize="xs"
      />
    </Stack>
  );
}

/** The authorization code flow's extras: a deliberate mistake, and parameters to add or override. */
export function CodeFlowFields(props: {
  scenario: PlaygroundScenario | null;
  onScenario: (value: PlaygroundScenario | null) => void;
  authorizeParams: string;
  onAuthorizeParams: (value: string) => void;
  tokenParams: string;
  onTokenParams: (value: string) => void;
}) {
  const paramsHelp =
    'Extra/override parameters, name=value one a line; an empty value removes the parameter.';
  return (
    <Stack gap="xs">
      <Select
        label="Error scenario"
        description="Run the flow with one mistake on purpose and see the provider refuse it."
        placeholder="None: a normal run"
        data={(Object.keys(SCENARIOS) as PlaygroundScenario[]).map((value) => ({
          value,
          label: SCENARIOS[value],
        }))}
        value={props.scenario}
        onChange={(value) => props.onScenario(value as PlaygroundScenario | null)}
        clearable
      />
      <Group align="flex-start" grow>
        <CodeTextarea
          label="/authorize parameters"
          description={paramsHelp}
          placeholder={'scope=openid profile\nprompt=login'}
          value={props.authorizeParams}
          onChange={props.onAuthorizeParams}
          minRows={2}
          maxRows={5}
          small
        />
        <CodeTextarea
          label="Token request parameters"
          description={paramsHelp}
          placeholder="redirect_uri=http://127.0.0.1:5173/elsewhere"
          value={props.tokenParams}
          onChange={props.onTokenParams}
          minRows={2}
          maxRows={5}
          small
        />
      </Group>
    </Stack>
  );
}
