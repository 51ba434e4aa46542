import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function InboxArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Inbox" />
    </main>
  );
}
