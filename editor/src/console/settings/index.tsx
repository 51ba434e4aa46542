import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function SettingsArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Settings" />
    </main>
  );
}
