import { useState } from 'react';
import { navigate } from '../../router';
import type { AreaProps } from '../area';
import { PageHeader, Tabs } from '../ui';
import { AddSourceDialog } from './add-source-dialog';
import { Playground } from './playground';
import { SourceDetail } from './source-detail';
import { SourcesList } from './sources-list';
import './knowledge.css';

type Tab = 'sources' | 'playground';
const TABS: ReadonlyArray<{ key: Tab; label: string }> = [
  { key: 'sources', label: 'Sources' },
  { key: 'playground', label: 'Ask & search' },
];

/** `#/knowledge` (sources, `?tab=playground`) and `#/knowledge/sources/:id`. */
export function KnowledgeArea({ rest, query }: AreaProps) {
  if (rest[0] === 'sources' && rest[1]) return <SourceDetail sourceId={rest[1]} />;
  const tab: Tab = query.get('tab') === 'playground' ? 'playground' : 'sources';
  return <KnowledgeHome tab={tab} />;
}

function KnowledgeHome({ tab }: { tab: Tab }) {
  const [adding, setAdding] = useState(false);
  // Bumped after an add so the list reloads (and starts polling the new source's ingestion).
  const [version, setVersion] = useState(0);
  return (
    <main className="console-page">
      <PageHeader
        title="Knowledge"
        description="Documents, pages and notes the AI answers from, with citations."
        actions={
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Add source
          </button>
        }
      />
      <Tabs
        label="Knowledge"
        tabs={TABS}
        active={tab}
        onChange={(t) => navigate(t === 'sources' ? '/knowledge' : '/knowledge?tab=playground')}
      />
      {tab === 'sources' ? <SourcesList version={version} /> : <Playground />}
      <AddSourceDialog
        open={adding}
        onClose={() => setAdding(false)}
        onAdded={() => {
          setVersion((v) => v + 1);
          if (tab !== 'sources') navigate('/knowledge');
        }}
      />
    </main>
  );
}
