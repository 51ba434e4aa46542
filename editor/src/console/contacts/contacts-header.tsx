import type { ReactNode } from 'react';
import { navigate } from '../../router';
import { PageHeader, Tabs } from '../ui';

type View = 'list' | 'pipeline' | 'import';
const VIEWS: ReadonlyArray<{ key: View; label: string }> = [
  { key: 'list', label: 'List' },
  { key: 'pipeline', label: 'Pipeline' },
  { key: 'import', label: 'Import' },
];
const PATHS: Record<View, string> = { list: '/contacts', pipeline: '/contacts/pipeline', import: '/contacts/import' };

/** The Contacts heading and the switch between the list, the pipeline board and the import. */
export function ContactsHeader({ view, actions }: { view: View; actions?: ReactNode }) {
  return (
    <>
      <PageHeader
        title="Contacts"
        description="People and leads: filter them, save segments, move leads through the pipeline."
        actions={actions}
      />
      <Tabs label="Contacts views" tabs={VIEWS} active={view} onChange={(v) => navigate(PATHS[v])} />
    </>
  );
}
