import type { ConsoleContext } from './context';

export function dashboardScenarios(_ctx: ConsoleContext): void {}
