import { Alert, Stack, Text } from '@mantine/core';
import type { AdminOutput } from '../../../../../shared/contract';
import { JsonBlock } from '../../../components/JsonBlock';
import { dpopProofSnippet } from './dpop-snippet';

type DpopKey = NonNullable<AdminOutput<'tokens.mint'>['dpop_key']>;

/** The generated DPoP key pair: the provider keeps only its thumbprint, so this is the one chance to copy it. */
export function DpopKeyPanel({
  issuer,
  token,
  dpopKey,
}: {
  issuer: string;
  token: string;
  dpopKey: DpopKey;
}) {
  return (
    <Stack gap="sm" role="region" aria-label="DPoP key">
      <Alert color="yellow" title="Private key: shown once">
        The provider did not keep this {dpopKey.alg} private key, only its thumbprint in the token. Copy it
        now: leaving this page or minting again loses it, and the token is then useless (no one can make its
        proofs).
      </Alert>
      <JsonBlock label="Private JWK" value={dpopKey.private_jwk} />
      <Text size="sm">
        Each request with the token needs a new DPoP proof signed by this key. This program makes one and
        calls userinfo with it:
      </Text>
      <JsonBlock
        label="Proof with jose"
        value={dpopProofSnippet({ issuer, token, privateJwk: dpopKey.private_jwk, alg: dpopKey.alg })}
      />
    </Stack>
  );
}
