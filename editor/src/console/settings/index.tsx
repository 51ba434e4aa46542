import type { AreaProps } from '../area';
import { PageHeader } from '../ui';
import { ApiKeysSection } from './api-keys';
import { AuditSection } from './audit-log';
import { BrandingSection } from './branding';
import { CalendarsSection } from './calendars';
import { ChannelsSection } from './channels';
import { EscalationsSection } from './escalations';
import { MembersSection } from './members';
import { RolesSection } from './roles';
import { SECTIONS, type SectionKey, sectionOf } from './sections';
import { SlaPoliciesSection } from './sla-policies';
import { TwoFactorSection } from './two-factor';
import { WebhooksSection } from './webhooks';
import './settings.css';

const PAGES: Record<SectionKey, () => React.JSX.Element> = {
  channels: ChannelsSection,
  members: MembersSection,
  roles: RolesSection,
  'api-keys': ApiKeysSection,
  sla: SlaPoliciesSection,
  calendars: CalendarsSection,
  escalations: EscalationsSection,
  webhooks: WebhooksSection,
  audit: AuditSection,
  'two-factor': TwoFactorSection,
  branding: BrandingSection,
};

/** `#/settings/<section>`: a section nav (plain links, so Tab and Enter reach every one) and the section. */
export function SettingsArea({ rest }: AreaProps) {
  const active = sectionOf(rest[0]);
  const Page = PAGES[active];
  const label = SECTIONS.find((s) => s.key === active)?.label ?? '';
  return (
    <main className="console-page">
      <PageHeader title="Settings" description="Channels, people and access, service levels, integrations and brand." />
      <div className="settings-layout">
        <nav className="settings-nav" aria-label="Settings sections">
          {SECTIONS.map((s) => (
            <a key={s.key} href={`#/settings/${s.key}`} aria-current={s.key === active ? 'page' : undefined}>
              {s.label}
            </a>
          ))}
        </nav>
        <section className="settings-section" aria-label={label}>
          <Page key={active} />
        </section>
      </div>
    </main>
  );
}
