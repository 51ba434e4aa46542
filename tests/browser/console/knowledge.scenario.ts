import type { ConsoleContext } from './context';

export function knowledgeScenarios(_ctx: ConsoleContext): void {}
