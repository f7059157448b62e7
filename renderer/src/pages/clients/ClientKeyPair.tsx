import { Alert, Button, Code, Group, Modal, NativeSelect, Stack, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { AdminInput, GeneratedClientKeyPair } from '../../../../shared/contract';
import { CLIENT_KEY_ASSERTION_ALGS, type Client } from '../../../../shared/schemas';
import { ConfirmButton } from '../../components/Confirm';
import { CopyableCode } from '../../components/CopyableCode';
import { ErrorAlert } from '../../components/ErrorAlert';
import { TabbedPanels } from '../../components/TabbedPanels';
import { useAdminMutation } from '../../data/contract-queries';

type KeyAlg = (typeof CLIENT_KEY_ASSERTION_ALGS)[number];

/** The engine's default (ES256) unless the client pins a key algorithm. */
function defaultAlg(client: Client): KeyAlg {
  const pinned = client.token_endpoint_auth_signing_alg;
  return (CLIENT_KEY_ASSERTION_ALGS as readonly string[]).includes(pinned ?? '')
    ? (pinned as KeyAlg)
    : 'ES256';
}

/**
 * clients.generateKeyPair, with its answer kept out of TanStack Query's caches: the private key is in
 * the answer, and a mutation's result otherwise stays in the mutation cache (and the observer) for
 * minutes after the modal showing it has closed. So once the answer is here, the mutation is removed
 * from the cache and the observer reset; the key then lives only in the modal's state, dropped on close.
 */
function useGenerateKeyPair() {
  const queryClient = useQueryClient();
  const mutation = useAdminMutation('clients.generateKeyPair', {
    success: (output) => `New key ${output.kid} for ${output.client.client_id}`,
  });
  const [error, setError] = useState<unknown>(null);
  const generate = async (input: AdminInput<'clients.generateKeyPair'>) => {
    setError(null);
    try {
      const output = await mutation.mutateAsync(input);
      const cache = queryClient.getMutationCache();
      for (const held of cache.findAll({ predicate: (m) => m.state.data === output })) cache.remove(held);
      mutation.reset();
      return output;
    } catch (caught) {
      mutation.reset();
      setError(caught);
      return null;
    }
  };
  return { generate, pending: mutation.isPending, error };
}

/** The private key and how to use it, shown once: the engine does not keep it. */
export function KeyPairModal({
  keyPair,
  onClose,
}: {
  keyPair: GeneratedClientKeyPair | null;
  onClose: () => void;
}) {
  const jwk = keyPair ? JSON.stringify(keyPair.private_jwk, null, 2) : '';
  return (
    <Modal
      opened={keyPair !== null}
      onClose={onClose}
      title={keyPair ? `New key pair for ${keyPair.client.client_id}` : ''}
      size="xl"
      zIndex={250}
    >
      {keyPair && (
        <Stack>
          <Alert color="orange" role="alert" title="Shown once: the private key is not stored">
            Copy the private key now. The provider kept only the public key (kid <Code>{keyPair.kid}</Code>,{' '}
            {keyPair.alg}) in the client's JWKS; closing this window forgets the private one, and nothing can
            show it again.
          </Alert>
          <TabbedPanels
            panelPadding="xs"
            panels={[
              {
                value: 'pem',
                label: 'PEM',
                content: (
                  <CopyableCode
                    copySize="xs"
                    label="Private key (PEM)"
                    text={keyPair.private_key_pem}
                    copyLabel="Copy private key (PEM)"
                  />
                ),
              },
              {
                value: 'jwk',
                label: 'JWK',
                content: (
                  <CopyableCode
                    copySize="xs"
                    label="Private key (JWK)"
                    text={jwk}
                    copyLabel="Copy private key (JWK)"
                  />
                ),
              },
            ]}
          />
          <Text size="sm">
            Save the PEM as <Code>private-key.pem</Code>; this script signs a client assertion with it (Node
            and jose) and asks for a token with curl:
          </Text>
          <CopyableCode
            copySize="xs"
            label="Client assertion snippet"
            text={keyPair.snippet}
            copyLabel="Copy snippet"
          />
          <Group justify="flex-end">
            <Button onClick={onClose}>I have saved the key</Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/**
 * A private_key_jwt client's keys: a new key pair beside its others (inline jwks only: keys served from
 * the client's jwks_uri are the client's to add). For a client with a secret, the switch to a key pair.
 */
export function ClientKeys({ client }: { client: Client }) {
  const [alg, setAlg] = useState<KeyAlg>(() => defaultAlg(client));
  const [keyPair, setKeyPair] = useState<GeneratedClientKeyPair | null>(null);
  const { generate, pending, error } = useGenerateKeyPair();
  const method = client.token_endpoint_auth_method;
  const run = async (input: AdminInput<'clients.generateKeyPair'>) => setKeyPair(await generate(input));

  if (method === 'none') return null;
  const modal = <KeyPairModal keyPair={keyPair} onClose={() => setKeyPair(null)} />;
  if (method !== 'private_key_jwt') {
    return (
      <Stack gap="xs">
        <Group>
          <ConfirmButton
            size="xs"
            color="blue"
            confirm={{
              title: `Switch ${client.client_id} to a key pair?`,
              message: `The provider makes a key pair and ${client.client_id} authenticates with signed assertions (private_key_jwt) from then on; its secret stops working at once.`,
              confirmLabel: 'Switch to a key pair',
              color: 'blue',
            }}
            onConfirm={() => run({ client_id: client.client_id, switch_auth_method: true })}
          >
            Use a key pair instead
          </ConfirmButton>
        </Group>
        <ErrorAlert title="Could not make a key pair" error={error} />
        {modal}
      </Stack>
    );
  }
  if (client.jwks_uri) {
    return (
      <Text size="sm" c="dimmed">
        Its public keys are served from its JWKS URL; add a new key there.
      </Text>
    );
  }
  return (
    <Stack gap="xs">
      <Group align="flex-end">
        <NativeSelect
          size="xs"
          label="Key algorithm"
          value={alg}
          onChange={(event) => setAlg(event.currentTarget.value as KeyAlg)}
          data={[...CLIENT_KEY_ASSERTION_ALGS]}
        />
        <Button
          size="xs"
          variant="light"
          loading={pending}
          onClick={() => run({ client_id: client.client_id, alg })}
        >
          Generate key pair
        </Button>
      </Group>
      <Text size="xs" c="dimmed">
        The new public key joins the client's JWKS beside the others; the private key is shown once.
      </Text>
      <ErrorAlert title="Could not make a key pair" error={error} />
      {modal}
    </Stack>
  );
}
