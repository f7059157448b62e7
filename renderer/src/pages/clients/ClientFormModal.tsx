import {
  Group,
  MultiSelect,
  PasswordInput,
  Radio,
  Select,
  SimpleGrid,
  Switch,
  TagsInput,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { defaultLoopbackPortVariance } from '../../../../shared/client-policies';
import {
  type AccessTokenFormat,
  AUTH_METHODS,
  type AuthMethod,
  type Client,
  type ClientInput,
  ClientInputSchema,
  DEFAULT_SETTINGS,
  GRANT_TYPES,
  type GrantType,
  JWT_BEARER_GRANT,
  TOKEN_EXCHANGE_GRANT,
  TtlSchema,
} from '../../../../shared/schemas';
import { FormModal, ModalForm } from '../../components/FormModal';
import { type NumberFieldValue, RangeNumberInput, rangeError } from '../../components/RangeNumberInput';
import { useAdminMutation, useAdminQuery } from '../../data/contract-queries';
import { errorMessage } from '../../lib/errors';
import { formatDuration } from '../../lib/time';
import {
  applyClaimSettings,
  ClaimMappingFields,
  type ClaimSettings,
  initialClaimSettings,
} from './ClaimMappingFields';
import {
  applySecuritySettings,
  ClientKeyFields,
  DpopFields,
  initialSecuritySettings,
  JwtBearerFields,
  type SecuritySettings,
  TokenExchangeFields,
} from './ClientSecurityFields';
import { GRANT_TYPE_LABELS } from './client-labels';

const AUTH_METHOD_LABELS: Record<AuthMethod, string> = {
  client_secret_basic: 'client_secret_basic (HTTP Basic)',
  client_secret_post: 'client_secret_post (form body)',
  client_secret_jwt: 'client_secret_jwt (JWT signed with the secret)',
  private_key_jwt: 'private_key_jwt (JWT signed with the client key)',
  none: 'none (public client, PKCE)',
};

type Ttl = NumberFieldValue;

interface ClientFormProps {
  client: Client | null;
  onClose: () => void;
  onSaved: (client: Client) => void;
}

function ClientForm({ client, onClose, onSaved }: ClientFormProps) {
  const settings = useAdminQuery('settings.get');
  const defaults = settings.data ?? DEFAULT_SETTINGS;
  const [clientId, setClientId] = useState(client?.client_id ?? '');
  const [name, setName] = useState(client?.client_name ?? '');
  const [secret, setSecret] = useState(client?.client_secret ?? '');
  const [redirectUris, setRedirectUris] = useState<string[]>(client?.redirect_uris ?? []);
  const [logoutUris, setLogoutUris] = useState<string[]>(client?.post_logout_redirect_uris ?? []);
  const [grantTypes, setGrantTypes] = useState<GrantType[]>(
    client?.grant_types ?? ['authorization_code', 'refresh_token'],
  );
  const [authMethod, setAuthMethod] = useState<AuthMethod>(
    client?.token_endpoint_auth_method ?? 'client_secret_basic',
  );
  const [scope, setScope] = useState(client?.scope ?? 'openid profile email offline_access');
  const [audience, setAudience] = useState<string[]>(client?.audience ?? []);
  const [format, setFormat] = useState<AccessTokenFormat>(client?.access_token_format ?? 'jwt');
  const [accessTtl, setAccessTtl] = useState<Ttl>(client?.access_token_ttl ?? '');
  const [idTtl, setIdTtl] = useState<Ttl>(client?.id_token_ttl ?? '');
  const [refreshTtl, setRefreshTtl] = useState<Ttl>(client?.refresh_token_ttl ?? '');
  // null: not chosen yet, so it follows the default for the auth method and redirect URIs being entered.
  const [portVariance, setPortVariance] = useState<boolean | null>(
    client?.allow_loopback_port_variance ?? null,
  );
  const [introspectAny, setIntrospectAny] = useState(client?.introspect_any_token ?? false);
  const portVarianceDefault = defaultLoopbackPortVariance({
    token_endpoint_auth_method: authMethod,
    redirect_uris: redirectUris,
  });
  const [security, setSecurity] = useState<SecuritySettings>(() => initialSecuritySettings(client));
  const changeSecurity = (patch: Partial<SecuritySettings>) => setSecurity((now) => ({ ...now, ...patch }));
  const hasExchangeGrant = grantTypes.includes(TOKEN_EXCHANGE_GRANT);
  const hasJwtBearerGrant = grantTypes.includes(JWT_BEARER_GRANT);
  // private_key_jwt proves the client with its key: a secret would be one more thing to leak.
  const usesSecret = authMethod !== 'none' && authMethod !== 'private_key_jwt';
  const [invalid, setInvalid] = useState<string | null>(null);
  const [claimSettings, setClaimSettings] = useState<ClaimSettings>(() => initialClaimSettings(client));
  // Mapping errors show from the first save attempt on, not while a new row is still being filled in.
  const [claimErrorsShown, setClaimErrorsShown] = useState(false);

  const save = useAdminMutation(client ? 'clients.update' : 'clients.create', {
    success: (saved) => `${client ? 'Saved' : 'Created'} client ${saved.client_id}`,
  });

  const submit = () => {
    const input: ClientInput = {
      client_id: clientId.trim(),
      redirect_uris: redirectUris,
      post_logout_redirect_uris: logoutUris,
      grant_types: grantTypes,
      token_endpoint_auth_method: authMethod,
      scope: scope.trim().replace(/\s+/g, ' '),
      access_token_format: format,
      audience,
      introspect_any_token: introspectAny,
    };
    if (portVariance !== null) input.allow_loopback_port_variance = portVariance;
    if (name.trim()) input.client_name = name.trim();
    if (secret && usesSecret) input.client_secret = secret;
    const securityError = applySecuritySettings(input, security, client);
    if (securityError) {
      setInvalid(securityError);
      return;
    }
    applyClaimSettings(input, claimSettings, client);
    const ttls = { access_token_ttl: accessTtl, id_token_ttl: idTtl, refresh_token_ttl: refreshTtl };
    // Empty means the default; anything else is sent as typed, or refused here with the field's error.
    for (const [key, value] of Object.entries(ttls) as Array<[keyof typeof ttls, Ttl]>) {
      if (rangeError(TtlSchema, value, { optional: true })) {
        setInvalid('A lifetime is out of range: fix the field marked in red.');
        return;
      }
      if (typeof value === 'number') input[key] = value;
    }
    // The same schema the engine applies, so mistakes show before the round trip.
    const parsed = ClientInputSchema.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      if (issue?.path[0] === 'claim_mappings') setClaimErrorsShown(true);
      setInvalid(
        `${issue?.path.length ? `${issue.path.join('.')}: ` : ''}${issue?.message ?? 'invalid client'}`,
      );
      return;
    }
    setInvalid(null);
    save.mutate(input, {
      onSuccess: (saved) => {
        onSaved(saved);
        onClose();
      },
    });
  };

  const ttlField = (label: string, value: Ttl, set: (v: Ttl) => void, fallback: number) => (
    <RangeNumberInput
      schema={TtlSchema}
      optional
      label={label}
      description={`Empty = default (${formatDuration(fallback)})`}
      placeholder={String(fallback)}
      value={value}
      onChange={set}
    />
  );

  return (
    <ModalForm
      onSubmit={submit}
      onCancel={onClose}
      error={invalid ?? (save.error && errorMessage(save.error))}
      errorTitle="Could not save the client"
      submitLabel={client ? 'Save client' : 'Create client'}
      pending={save.isPending}
    >
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <TextInput
          label="Client ID"
          required
          disabled={client !== null}
          data-autofocus
          value={clientId}
          onChange={(event) => setClientId(event.currentTarget.value)}
        />
        <TextInput
          label="Client name"
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
        />
      </SimpleGrid>
      <MultiSelect
        label="Grant types"
        data={GRANT_TYPES.map((grant) => ({ value: grant, label: GRANT_TYPE_LABELS[grant] }))}
        value={grantTypes}
        onChange={(value) => setGrantTypes(value as GrantType[])}
        searchable
        required
      />
      <TagsInput
        label="Redirect URIs"
        description="Press Enter after each URI. Needed for authorization_code."
        placeholder="http://localhost:3000/callback"
        value={redirectUris}
        onChange={setRedirectUris}
        splitChars={[' ', ',']}
      />
      <TagsInput
        label="Post-logout redirect URIs"
        placeholder="http://localhost:3000/"
        value={logoutUris}
        onChange={setLogoutUris}
        splitChars={[' ', ',']}
      />
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select
          label="Token endpoint auth method"
          data={AUTH_METHODS.map((method) => ({ value: method, label: AUTH_METHOD_LABELS[method] }))}
          value={authMethod}
          onChange={(value) => value && setAuthMethod(value as AuthMethod)}
          allowDeselect={false}
        />
        <PasswordInput
          label="Client secret"
          description={
            authMethod === 'none'
              ? 'Public clients have no secret'
              : authMethod === 'private_key_jwt'
                ? 'Not used: the client signs with its key'
                : 'Empty = generate one'
          }
          disabled={!usesSecret}
          value={secret}
          onChange={(event) => setSecret(event.currentTarget.value)}
          autoComplete="off"
        />
      </SimpleGrid>
      <ClientKeyFields settings={security} change={changeSecurity} method={authMethod} />
      <TextInput
        label="Scope"
        description="Space-separated scopes this client may ask for"
        value={scope}
        onChange={(event) => setScope(event.currentTarget.value)}
      />
      <TagsInput
        label="Audience"
        description="The aud of its access tokens; press Enter after each"
        placeholder="https://api.example.com"
        value={audience}
        onChange={setAudience}
      />
      {hasExchangeGrant && <TokenExchangeFields settings={security} change={changeSecurity} />}
      {hasJwtBearerGrant && <JwtBearerFields settings={security} change={changeSecurity} />}
      <Switch
        label="Any port on loopback redirect URIs (RFC 8252 §7.3)"
        description={`For native apps, which listen on whatever port is free: a redirect to a registered http://127.0.0.1 or http://[::1] URI may use another port. Leave off for web apps — a page on any local port could receive their codes.${portVariance === null ? ` Default for this client: ${portVarianceDefault ? 'on' : 'off'}.` : ''}`}
        checked={portVariance ?? portVarianceDefault}
        onChange={(event) => setPortVariance(event.currentTarget.checked)}
      />
      <Switch
        label="Introspect any token (gateway)"
        description={
          'Off: it may introspect only the tokens issued to it and the access tokens with its client_id in their aud; others are answered {"active":false}.'
        }
        checked={introspectAny}
        onChange={(event) => setIntrospectAny(event.currentTarget.checked)}
      />
      <DpopFields settings={security} change={changeSecurity} />
      <Radio.Group
        label="Access token format"
        value={format}
        onChange={(value) => setFormat(value as AccessTokenFormat)}
      >
        <Group mt={4}>
          <Radio value="jwt" label="JWT (self-contained, RFC 9068)" />
          <Radio value="reference" label="Reference (opaque, checked by introspection)" />
        </Group>
      </Radio.Group>
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        {ttlField('Access token lifetime (s)', accessTtl, setAccessTtl, defaults.access_token_ttl)}
        {ttlField('ID token lifetime (s)', idTtl, setIdTtl, defaults.id_token_ttl)}
        {ttlField('Refresh token lifetime (s)', refreshTtl, setRefreshTtl, defaults.refresh_token_ttl)}
      </SimpleGrid>
      <ClaimMappingFields settings={claimSettings} change={setClaimSettings} showErrors={claimErrorsShown} />
    </ModalForm>
  );
}

export function ClientFormModal({ client, opened, onClose, onSaved }: ClientFormProps & { opened: boolean }) {
  return (
    <FormModal
      opened={opened}
      onClose={onClose}
      title={client ? `Edit client ${client.client_id}` : 'New client'}
      formKey={client?.client_id ?? '(new)'}
    >
      <ClientForm client={client} onClose={onClose} onSaved={onSaved} />
    </FormModal>
  );
}
