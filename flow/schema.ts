import { z } from 'zod';

/** Editor-only state. The engine never reads it. */
export const NodeUiSchema = z.object({ position: z.object({ x: z.number(), y: z.number() }) }).passthrough();

/** One step of a flow. `params` is validated against the node type's descriptor, not here. */
export const NodeSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'node ids are letters, digits, "_" and "-"'),
  type: z.string().min(1).max(64),
  params: z.record(z.string(), z.unknown()).default({}),
  /** How many times one run may enter this node; loops must carry one (validation checks). */
  maxVisits: z.number().int().min(1).max(1000).optional(),
  ui: NodeUiSchema.optional(),
});

/** `sourceHandle` names one of the source node's declared outputs. */
export const EdgeSchema = z.object({
  id: z.string().min(1).max(64),
  source: z.string().min(1),
  sourceHandle: z.string().min(1),
  target: z.string().min(1),
});

/** A flow is data, never code: nodes by stable id, edges between named outputs. */
export const FlowSchema = z.object({
  id: z.string().min(1).max(64).optional(),
  name: z.string().min(1).max(200),
  version: z.number().int().nonnegative().default(0),
  nodes: z.array(NodeSchema).max(2000),
  edges: z.array(EdgeSchema).max(10000),
});

export type FlowNode = z.infer<typeof NodeSchema>;
export type FlowEdge = z.infer<typeof EdgeSchema>;
export type Flow = z.infer<typeof FlowSchema>;

/** The contact fields a flow can read through `{{contact.*}}`. */
export const ContactSnapshotSchema = z.object({
  id: z.string(),
  leadStatus: z.string().nullable().optional(),
  score: z.number().optional(),
  firstName: z.string().nullable().optional(),
  lastName: z.string().nullable().optional(),
  phone: z.string().nullable().optional(),
  email: z.string().nullable().optional(),
  timeZone: z.string().nullable().optional(),
  tags: z.array(z.string()).default([]),
  fields: z.record(z.string(), z.unknown()).default({}),
});
export type ContactSnapshot = z.infer<typeof ContactSnapshotSchema>;
