import type { z } from 'zod';
import type { CitationSchema } from '../../flow/engine/contracts';
import { contentWords } from './words';

export interface Answer {
  answer: string;
  /** 0..1: how well the best passage matches the question. */
  confidence: number;
  citations: z.infer<typeof CitationSchema>[];
}

/** Answers a question from a tenant's knowledge (knowledge-base.ts: retrieval over the tenant's sources). */
export interface KnowledgeAnswerer {
  answer(input: { tenantId: string; question: string; sourceIds: string[] }): Promise<Answer>;
}

export interface Passage {
  sourceId: string;
  title: string;
  text: string;
}

/**
 * An extractive answerer over a fixed set of passages: the best passage by word overlap, cited,
 * never invented. The default of tests that need answers without a knowledge base.
 */
export class ExtractiveAnswerer implements KnowledgeAnswerer {
  constructor(private readonly passages: Passage[]) {}

  async answer({ question, sourceIds }: { tenantId: string; question: string; sourceIds: string[] }): Promise<Answer> {
    const q = new Set(contentWords(question));
    const pool = sourceIds.length ? this.passages.filter((p) => sourceIds.includes(p.sourceId)) : this.passages;
    let best: { passage: Passage; score: number } | null = null;
    for (const passage of pool) {
      const w = new Set(contentWords(`${passage.title} ${passage.text}`));
      const overlap = [...q].filter((x) => w.has(x)).length;
      const score = q.size === 0 ? 0 : overlap / q.size;
      if (!best || score > best.score) best = { passage, score };
    }
    if (!best || best.score === 0) return { answer: '', confidence: 0, citations: [] };
    const { passage, score } = best;
    return {
      answer: passage.text,
      confidence: Math.round(Math.min(1, score) * 100) / 100,
      citations: [{ sourceId: passage.sourceId, title: passage.title, snippet: passage.text.slice(0, 200) }],
    };
  }
}

/** What the sandbox knows out of the box, so the demo's support bot has something to say. */
export const demoPassages: Passage[] = [
  {
    sourceId: 'demo-hours',
    title: 'Opening hours',
    text: 'Our support team is available Monday to Friday, 9:00 to 18:00, and Saturday 10:00 to 14:00.',
  },
  {
    sourceId: 'demo-refunds',
    title: 'Refund policy',
    text: 'You can request a full refund within 30 days of purchase from your account page or by replying REFUND.',
  },
  {
    sourceId: 'demo-pricing',
    title: 'Plans and pricing',
    text: 'The Starter plan costs 29 dollars per month and the Growth plan 99 dollars per month, billed monthly.',
  },
  {
    sourceId: 'demo-reschedule',
    title: 'Rescheduling an appointment',
    text: 'To reschedule an appointment, reply with a new date and time or call us; changes are free up to 24 hours before.',
  },
];
