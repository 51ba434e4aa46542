import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function KnowledgeArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Knowledge" />
    </main>
  );
}
