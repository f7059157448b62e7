import { Alert, AppShell, Code, Group, Loader, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { adminApi } from './api';

export function App() {
  const info = useQuery({ queryKey: ['engine.info'], queryFn: () => adminApi.engine.info({}) });
  return (
    <AppShell header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Title order={3}>IDP Sandbox</Title>
          {info.data && (
            <Text size="sm" aria-label="Issuer URL">
              {info.data.issuer}
            </Text>
          )}
        </Group>
      </AppShell.Header>
      <AppShell.Main>
        <Stack>
          {info.isPending && <Loader aria-label="Loading engine status" />}
          {info.error && (
            <Alert color="red" title="Cannot reach the engine">
              {info.error.message}
            </Alert>
          )}
          {info.data && (
            <>
              <Text>The provider is running. Point your services at this issuer:</Text>
              <Code block data-testid="issuer">
                {info.data.issuer}
              </Code>
              <Text size="sm" c="dimmed">
                Version {info.data.version} · data {info.data.dataDir ?? 'in memory'}
              </Text>
            </>
          )}
        </Stack>
      </AppShell.Main>
    </AppShell>
  );
}
