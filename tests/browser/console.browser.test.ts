import { afterAll, beforeAll, describe } from 'vitest';
import { launchBrowser } from '../helpers/browser';
import { startProduct } from '../helpers/product';
import { campaignScenarios } from './console/campaigns.scenario';
import type { ConsoleContext } from './console/context';
import { dashboardScenarios } from './console/dashboards.scenario';
import { inboxScenarios } from './console/inbox.scenario';
import { knowledgeScenarios } from './console/knowledge.scenario';
import { settingsScenarios } from './console/settings.scenario';
import { shellScenarios } from './console/shell.scenario';

// The operator console in Debian's Chromium against the product as `npm start` runs it. One product
// for every area (starting it is the slow part); each area works in its own tenant, so what one
// area's scenarios create (contacts named alike, channels, branding) never meets another's, and each
// opens its own tabs. `npx vitest run tests/browser/console.browser.test.ts -t campaigns` runs one area.
const shared = {} as ConsoleContext;

beforeAll(async () => {
  [shared.product, shared.browser] = await Promise.all([startProduct(), launchBrowser()]);
}, 240_000);
afterAll(async () => {
  await shared.browser?.close();
  await shared.product?.stop();
});

function area(name: string, scenarios: (ctx: ConsoleContext) => void) {
  describe(name, () => {
    const ctx = {} as ConsoleContext;
    beforeAll(async () => {
      ctx.browser = shared.browser;
      ctx.product = await shared.product.withTenant(name.replace(/\W+/g, '-'));
    });
    scenarios(ctx);
  });
}

area('console shell', shellScenarios);
area('campaigns', campaignScenarios);
area('inbox', inboxScenarios);
area('knowledge and contacts', knowledgeScenarios);
area('settings', settingsScenarios);
area('dashboards', dashboardScenarios);
