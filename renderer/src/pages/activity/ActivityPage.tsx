import { Badge, Group, Switch, TextInput } from '@mantine/core';
import { useState } from 'react';
import { type EngineEvent, EVENT_TYPES, type EventType, REQUEST_ENDPOINTS } from '../../../../shared/schemas';
import { ClientAndUserFilters, FilterSelect } from '../../components/FilterSelect';
import { Page } from '../../components/Page';
import { LiveRateNote } from '../../data/LiveRate';
import { useLiveConnection } from '../../data/live-connection';
import { AllIssuersSwitch } from '../issuers/every-issuer';
import { TokenDrawer } from '../tokens/TokenDrawer';
import { type ActivityFilter, useActivityFilter } from './activity-filter';
import { EventDrawer } from './EventDrawer';
import { EventList } from './EventList';

/** Live only while the event stream is: new events appear without a reload exactly then. */
function LiveBadge() {
  const connection = useLiveConnection();
  const [label, color] =
    connection === 'live'
      ? ['Live', 'green']
      : connection === 'down'
        ? ['Reconnecting', 'red']
        : ['Connecting', 'gray'];
  return (
    <Badge color={color} variant="dot" aria-label={`Live updates: ${label}`}>
      {label}
    </Badge>
  );
}

function Filters({
  view,
  every,
  setEvery,
}: {
  view: ActivityFilter;
  every: boolean;
  setEvery: (on: boolean) => void;
}) {
  return (
    <Group align="flex-end">
      <TextInput
        label="Search events"
        placeholder="Type, client, user, token id or data"
        value={view.search}
        onChange={(event) => view.setSearch(event.currentTarget.value)}
        w={260}
      />
      <Switch
        label="Errors only"
        checked={view.errors}
        onChange={(e) => view.setErrors(e.currentTarget.checked)}
        mb={8}
      />
      <FilterSelect
        label="Endpoint"
        placeholder="Any endpoint"
        data={[...REQUEST_ENDPOINTS]}
        value={view.endpoint}
        onChange={view.setEndpoint}
        w={190}
      />
      <FilterSelect
        label="Event type"
        placeholder="Any type"
        data={[...EVENT_TYPES]}
        value={view.type}
        onChange={(value) => view.setType(value as EventType | null)}
        w={220}
      />
      <ClientAndUserFilters selection={view.clientAndUser} />
      <AllIssuersSwitch checked={every} onChange={setEvery} />
    </Group>
  );
}

export function ActivityPage() {
  const view = useActivityFilter();
  const [tokenId, setTokenId] = useState<string | null>(null);
  const [opened, setOpened] = useState<EngineEvent | null>(null);
  // "All issuers": every issuer's newest events (no older pages), each row naming its issuer; a row
  // of another issuer offers to show that issuer (its details are calls to it).
  const [every, setEvery] = useState(false);
  return (
    <Page
      title="Activity"
      action={
        <Group gap="sm">
          <LiveRateNote />
          <LiveBadge />
        </Group>
      }
    >
      <Filters view={view} every={every} setEvery={setEvery} />
      <EventList
        match={view.match}
        every={every}
        filtered={view.filtered}
        onOpen={setOpened}
        onOpenToken={setTokenId}
      />
      <EventDrawer event={opened} onClose={() => setOpened(null)} openToken={setTokenId} />
      <TokenDrawer id={tokenId} onClose={() => setTokenId(null)} />
    </Page>
  );
}
