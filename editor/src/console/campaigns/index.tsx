import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function CampaignsArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Campaigns" />
    </main>
  );
}
