import { AppShell, Badge, Burger, Code, Group, NavLink, Stack, Text, Title, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { ComponentType } from 'react';
import { adminApi } from './api';
import { CopyButton } from './components/CopyButton';
import { QK } from './data/keys';
import { useHashRoute } from './data/route';
import { errorMessage } from './lib/errors';
import { ActivityPage } from './pages/ActivityPage';
import { ClientsPage } from './pages/ClientsPage';
import { SettingsPage } from './pages/SettingsPage';
import { TokensPage } from './pages/TokensPage';
import { UsersPage } from './pages/UsersPage';

const PAGES: ReadonlyArray<{ path: string; label: string; Page: ComponentType }> = [
  { path: 'users', label: 'Users', Page: UsersPage },
  { path: 'clients', label: 'Clients', Page: ClientsPage },
  { path: 'tokens', label: 'Tokens', Page: TokensPage },
  { path: 'activity', label: 'Activity', Page: ActivityPage },
  { path: 'settings', label: 'Settings', Page: SettingsPage },
];

function useEngineInfo() {
  return useQuery({
    queryKey: [QK.info],
    queryFn: () => adminApi.engine.info({}),
    refetchOnWindowFocus: true,
  });
}

function ServerState() {
  const info = useEngineInfo();
  const [label, color, detail] = info.isError
    ? ['Unreachable', 'red', errorMessage(info.error)]
    : info.isSuccess
      ? ['Running', 'green', `Listening on port ${info.data.port} · version ${info.data.version}`]
      : ['Connecting', 'gray', 'Asking the engine for its status'];
  return (
    <Tooltip label={detail} withArrow>
      <Badge color={color} variant="dot" aria-label={`Server state: ${label}`} tabIndex={0}>
        {label}
      </Badge>
    </Tooltip>
  );
}

function IssuerBar() {
  const info = useEngineInfo();
  if (!info.data) return null;
  return (
    <Group gap={4} wrap="nowrap" miw={0}>
      <Text size="sm" c="dimmed" visibleFrom="xs">
        Issuer
      </Text>
      <Code data-testid="issuer" aria-label="Issuer URL" style={{ whiteSpace: 'nowrap' }}>
        {info.data.issuer}
      </Code>
      <CopyButton compact value={info.data.issuer} label="Copy issuer URL" />
    </Group>
  );
}

export function App() {
  const route = useHashRoute();
  const [navOpen, { toggle, close }] = useDisclosure(false);
  const current = PAGES.find((page) => page.path === route) ?? PAGES[0];
  const info = useEngineInfo();
  if (!current) return null;
  const { Page } = current;

  return (
    <AppShell
      header={{ height: 56 }}
      navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !navOpen } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={navOpen}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label="Toggle navigation"
            />
            <Title order={1} size="h3">
              IDP Sandbox
            </Title>
          </Group>
          <Group gap="md" wrap="nowrap" miw={0}>
            <IssuerBar />
            <ServerState />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" aria-label="Main">
        <Stack justify="space-between" h="100%">
          <Stack gap={2}>
            {PAGES.map((page) => (
              <NavLink
                key={page.path}
                href={`#/${page.path}`}
                label={page.label}
                active={page === current}
                aria-current={page === current ? 'page' : undefined}
                onClick={close}
              />
            ))}
          </Stack>
          {info.data && (
            <Text size="xs" c="dimmed" px="xs">
              v{info.data.version} · {info.data.dataDir ? 'data on disk' : 'in memory'}
            </Text>
          )}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        <Page />
      </AppShell.Main>
    </AppShell>
  );
}
