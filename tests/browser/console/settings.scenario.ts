import type { ConsoleContext } from './context';

export function settingsScenarios(_ctx: ConsoleContext): void {}
