import {
  AppShell,
  Badge,
  Burger,
  Center,
  Code,
  Group,
  Loader,
  NavLink,
  Stack,
  Text,
  Title,
  Tooltip,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { type ComponentType, Fragment } from 'react';
import { ConnectionBanner } from './components/ConnectionBanner';
import { CopyButton } from './components/CopyButton';
import { FaultsBanner } from './components/FaultsBanner';
import { ProviderClock, useProviderClock } from './components/ProviderClock';
import { MAIN_CONTENT_ID, SkipLink } from './components/SkipLink';
import { useEngineInfo } from './data/contract-queries';
import { useRestoredIssuer, useSelectedIssuer } from './data/issuer-selection';
import { useLiveConnection } from './data/live-connection';
import { NowProvider } from './data/now';
import { useHashPath } from './data/route';
import { errorMessage } from './lib/errors';
import { ActivityPage } from './pages/activity/ActivityPage';
import { ClientsPage } from './pages/clients/ClientsPage';
import { DevicesPage } from './pages/devices/DevicesPage';
import { IssuerSwitcher } from './pages/issuers/IssuerSwitcher';
import { IssuersPage } from './pages/issuers/IssuersPage';
import { LAB_PAGES } from './pages/lab/LabPages';
import { SettingsPage } from './pages/settings/SettingsPage';
import { TokensPage } from './pages/tokens/TokensPage';
import { UsersPage } from './pages/users/UsersPage';

interface PageEntry {
  path: string;
  label: string;
  Page: ComponentType;
}

const PAGES: ReadonlyArray<PageEntry> = [
  { path: 'users', label: 'Users', Page: UsersPage },
  { path: 'clients', label: 'Clients', Page: ClientsPage },
  { path: 'tokens', label: 'Tokens', Page: TokensPage },
  { path: 'devices', label: 'Devices', Page: DevicesPage },
  { path: 'activity', label: 'Activity', Page: ActivityPage },
  { path: 'settings', label: 'Settings', Page: SettingsPage },
  { path: 'issuers', label: 'Issuers', Page: IssuersPage },
];

/** The header's engine state: the live event stream's, so it turns within moments of a stop or a return. */
function ServerState() {
  const info = useEngineInfo();
  const connection = useLiveConnection();
  const [label, color, detail] =
    connection === 'down'
      ? ['Unreachable', 'red', 'The engine does not answer; reconnecting by itself every 2 s']
      : connection === 'live' && info.isSuccess
        ? ['Running', 'green', `Listening on port ${info.data.port} · version ${info.data.version}`]
        : info.isError
          ? ['Unreachable', 'red', errorMessage(info.error)]
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

/** The page for a hash path: "tokens", "lab/inspector"; "lab" alone opens the lab's first page. */
function pageFor(path: string): PageEntry | undefined {
  const [first] = path.split('/');
  if (first === 'lab') return LAB_PAGES.find((page) => page.path === path) ?? LAB_PAGES[0];
  return PAGES.find((page) => page.path === first) ?? PAGES[0];
}

function NavItem({ page, current, onClick }: { page: PageEntry; current: PageEntry; onClick: () => void }) {
  return (
    <NavLink
      href={`#/${page.path}`}
      label={page.label}
      active={page === current}
      aria-current={page === current ? 'page' : undefined}
      onClick={onClick}
    />
  );
}

/** The app, once the issuer this tab showed last is selected again (or found gone). */
export function App() {
  const ready = useRestoredIssuer();
  if (!ready) {
    return (
      <Center h="100vh">
        <Loader role="status" aria-label="Opening the selected issuer" />
      </Center>
    );
  }
  return <Shell />;
}

function Shell() {
  const path = useHashPath();
  const issuer = useSelectedIssuer();
  const [navOpen, { toggle, close }] = useDisclosure(false);
  const current = pageFor(path);
  const info = useEngineInfo();
  const { offsetSeconds } = useProviderClock();
  if (!current) return null;
  const { Page } = current;

  return (
    <NowProvider offsetMs={offsetSeconds * 1000}>
      <AppShell
        header={{ height: 56 }}
        // Below 1200 px the navigation folds behind the burger: the tables need the width for their
        // columns and row actions (at 1024 px nothing is cut).
        navbar={{ width: 220, breakpoint: 'lg', collapsed: { mobile: !navOpen } }}
        padding="md"
      >
        <SkipLink />
        <AppShell.Header>
          <Group h="100%" px="md" justify="space-between" wrap="nowrap">
            <Group gap="sm" wrap="nowrap">
              <Burger
                opened={navOpen}
                onClick={toggle}
                hiddenFrom="lg"
                size="sm"
                aria-label="Toggle navigation"
              />
              <Title order={1} size="h3" style={{ whiteSpace: 'nowrap' }}>
                IDP Sandbox
              </Title>
              <IssuerSwitcher />
            </Group>
            <Group gap="md" wrap="nowrap" miw={0}>
              <IssuerBar />
              <ProviderClock />
              <ServerState />
            </Group>
          </Group>
        </AppShell.Header>
        <AppShell.Navbar p="xs" aria-label="Main">
          <Stack justify="space-between" h="100%">
            <Stack gap={2}>
              {PAGES.map((page) => (
                <NavItem key={page.path} page={page} current={current} onClick={close} />
              ))}
              <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="xs" pt="md" pb={2} id="nav-lab">
                Lifecycle lab
              </Text>
              <Stack gap={2} role="group" aria-labelledby="nav-lab">
                {LAB_PAGES.map((page) => (
                  <NavItem key={page.path} page={page} current={current} onClick={close} />
                ))}
              </Stack>
            </Stack>
            {info.data && (
              <Text size="xs" c="dimmed" px="xs">
                v{info.data.version} · {info.data.dataDir ? 'data on disk' : 'in memory'}
              </Text>
            )}
          </Stack>
        </AppShell.Navbar>
        <AppShell.Main id={MAIN_CONTENT_ID} tabIndex={-1} style={{ outline: 'none' }}>
          <ConnectionBanner />
          {/* Remounted per issuer: no page keeps the previous issuer's rows, filters or open drawer. */}
          <Fragment key={issuer}>
            <FaultsBanner />
            <Page />
          </Fragment>
        </AppShell.Main>
      </AppShell>
    </NowProvider>
  );
}
