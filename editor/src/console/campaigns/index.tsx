import type { AreaProps } from '../area';
import { CampaignDashboard } from './campaign-dashboard';
import { CampaignEditor } from './campaign-editor';
import { CampaignList } from './campaign-list';
import './campaigns.css';

/**
 * `#/campaigns` the list, `#/campaigns/new` and `#/campaigns/:id/edit` the draft editor (one
 * element for both, so saving a new draft keeps the form), `#/campaigns/:id` the live dashboard.
 */
export function CampaignsArea({ rest }: AreaProps) {
  const [first, second] = rest;
  const editing = first === 'new' || second === 'edit';
  return (
    <main className="console-page campaigns-page">
      {!first ? (
        <CampaignList />
      ) : editing ? (
        <CampaignEditor key="editor" campaignId={first === 'new' ? null : first} />
      ) : (
        <CampaignDashboard key={first} campaignId={first} />
      )}
    </main>
  );
}
