import { z } from 'zod';

// Answers more than one console area reads (imports, timelines, members), declared once.

export const TimelineItemSchema = z.object({
  id: z.string(),
  type: z.enum(['note', 'event', 'run', 'message', 'call', 'action']),
  at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type TimelineItem = z.infer<typeof TimelineItemSchema>;

/** An uploaded CSV before it is imported: its columns, first rows and a suggested mapping. */
export const UploadedCsvSchema = z.object({
  id: z.string(),
  filename: z.string(),
  delimiter: z.string(),
  headers: z.array(z.string()),
  preview: z.array(z.array(z.string())),
  totalRows: z.number(),
  suggestedMapping: z.record(z.string(), z.string()),
  savedMapping: z.string().nullable(),
});
export type UploadedCsv = z.infer<typeof UploadedCsvSchema>;

export const ImportJobSchema = z.object({
  id: z.string(),
  status: z.enum(['pending', 'running', 'completed', 'failed']),
  filename: z.string(),
  totalRows: z.number(),
  processedRows: z.number(),
  createdRows: z.number(),
  updatedRows: z.number(),
  skippedRows: z.number(),
  errorRows: z.number(),
  progress: z.number(),
  error: z.string().nullable(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type ImportJob = z.infer<typeof ImportJobSchema>;

export const MemberSchema = z.object({
  id: z.string(),
  userId: z.string(),
  email: z.string(),
  name: z.string(),
  role: z.string(),
  teams: z.array(z.string()),
  notifyPhone: z.string().nullable(),
  createdAt: z.string(),
});
export type Member = z.infer<typeof MemberSchema>;
