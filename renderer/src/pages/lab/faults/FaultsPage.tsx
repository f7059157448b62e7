import type { Fault } from '../../../../../shared/faults';
import { DataTable } from '../../../components/DataTable';
import { ErrorAlert } from '../../../components/ErrorAlert';
import { remaining, useActiveFaults } from '../../../components/FaultsBanner';
import { Page, Panel } from '../../../components/Page';
import { useAdminMutation } from '../../../data/contract-queries';
import { LabIntro } from '../LabIntro';
import { FaultForm } from './FaultForm';

export function FaultsPage() {
  const faults = useActiveFaults();
  const add = useAdminMutation('faults.add', { success: (fault) => `Fault on: ${fault.description}` });
  const remove = useAdminMutation('faults.remove');
  return (
    <Page title="Faults on demand">
      <LabIntro title="See what your client does when the provider misbehaves">
        Make an endpoint slow, failing, cut off or subtly wrong — for the next few requests, for a while, or
        until you turn it off — and watch your service’s retries, caches and error handling. The Flow
        playground runs its flows through the same endpoints, so it shows what a client sees. Faults live in
        memory: a restart turns them all off.
      </LabIntro>
      <Panel>
        <FaultForm pending={add.isPending} onAdd={(input) => add.mutate(input)} />
      </Panel>
      <ErrorAlert title="The fault was not turned on" error={add.error} />
      <DataTable<Fault>
        label="Active faults"
        source={{ query: faults, what: 'faults' }}
        rows={faults.data}
        rowKey={(fault) => fault.id}
        minWidth={640}
        empty="No fault is on: every endpoint answers normally."
        columns={[
          { header: 'Fault', cell: (fault) => fault.description },
          { header: 'Left', cell: (fault) => remaining(fault) ?? 'until turned off' },
          { header: 'Applied', cell: (fault) => `${fault.applied}×` },
        ]}
        actions={(fault) => [
          {
            label: 'Turn off',
            name: `Turn off ${fault.description}`,
            onClick: () => remove.mutate({ id: fault.id }),
          },
        ]}
      />
    </Page>
  );
}
