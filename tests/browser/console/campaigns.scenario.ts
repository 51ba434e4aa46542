import type { ConsoleContext } from './context';

export function campaignScenarios(_ctx: ConsoleContext): void {}
