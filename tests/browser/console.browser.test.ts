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
// for every area (starting it is the slow part); each area's scenarios open their own tab.
// `npx vitest run tests/browser/console.browser.test.ts -t campaigns` runs one area.
const ctx = {} as ConsoleContext;

beforeAll(async () => {
  [ctx.product, ctx.browser] = await Promise.all([startProduct(), launchBrowser()]);
}, 240_000);
afterAll(async () => {
  await ctx.browser?.close();
  await ctx.product?.stop();
});

describe('console shell', () => shellScenarios(ctx));
describe('campaigns', () => campaignScenarios(ctx));
describe('inbox', () => inboxScenarios(ctx));
describe('knowledge and contacts', () => knowledgeScenarios(ctx));
describe('settings', () => settingsScenarios(ctx));
describe('dashboards', () => dashboardScenarios(ctx));
