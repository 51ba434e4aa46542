import type { ConsoleContext } from './context';

export function inboxScenarios(_ctx: ConsoleContext): void {}
