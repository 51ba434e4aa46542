import type { AreaProps } from '../area';
import { PageHeader } from '../ui';

export function ContactsArea(_props: AreaProps) {
  return (
    <main className="console-page">
      <PageHeader title="Contacts" />
    </main>
  );
}
