import { z } from 'zod';
import { defineNode } from './descriptor';

export const UpdateContactParamsSchema = z
  .object({
    /** Custom fields to set; values may be expressions such as "{{nodes.ask.output.text}}". */
    set: z
      .record(z.string().min(1).max(64), z.union([z.string().max(2000), z.number(), z.boolean(), z.null()]))
      .default({}),
    addTags: z.array(z.string().min(1).max(100)).max(50).default([]),
    removeTags: z.array(z.string().min(1).max(100)).max(50).default([]),
    leadStatus: z.string().min(1).max(64).optional(),
    /** Added to the contact's score (negative to subtract). */
    scoreDelta: z.number().int().min(-1000).max(1000).optional(),
  })
  .refine(
    (p) =>
      Object.keys(p.set).length + p.addTags.length + p.removeTags.length > 0 ||
      p.leadStatus !== undefined ||
      p.scoreDelta !== undefined,
    'set at least one field, tag, status or score change',
  );

export const updateContactNode = defineNode({
  type: 'update-contact',
  version: 1,
  label: 'Update contact',
  description: 'Set fields, add or remove tags, change the lead status or score.',
  category: 'data',
  params: UpdateContactParamsSchema,
  outputs: ['next'],
  activity: 'updateContact',
  outputFields: ['updated', 'tags'],
  waits: false,
});
