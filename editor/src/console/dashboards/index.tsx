import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function DashboardsArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Dashboards" />
    </main>
  );
}
