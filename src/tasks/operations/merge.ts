/** merge: one answer from the results of tasks the caller delegated (SPEC §4). The strategies are the runtime's. */
import { z } from 'zod';
import { TaskStatusSchema } from '../../model/task.js';
import { MergeInputSchema } from '../inputs.js';
import { operation } from './operation.js';

export const MergeOutputSchema = z.object({
  strategy: z.string(),
  task_ids: z.array(z.string()),
  missing: z
    .array(z.object({ task_id: z.string(), status: TaskStatusSchema, error: z.string().nullable() }))
    .describe('Tasks that did not complete, with their status; they are not merged.'),
  source_count: z.number().int().optional(),
  result: z.string().optional().describe('concat: the results joined.'),
  summary: z.string().optional().describe('hierarchical_summary: "[task_id] summary" lines; llm_summary: the summary.'),
  summary_task_id: z.string().optional().describe('llm_summary: the task that wrote the summary.'),
  winner: z.string().nullable().optional().describe('voting: the normalised winning answer, null on a tie.'),
  votes: z.number().int().optional(),
  total: z.number().int().optional(),
  distribution: z.record(z.string(), z.number().int()).optional(),
  tie: z.boolean().optional(),
  tied: z.array(z.string()).optional(),
  abstained: z.array(z.string()).optional(),
  results: z.record(z.string(), z.unknown()).optional().describe('Any other strategy: the results by task id.'),
});
export type MergeOutput = z.infer<typeof MergeOutputSchema>;

export const merge = operation({
  name: 'merge',
  title: 'Merge task results',
  description:
    'Merge the results of tasks you delegated (by task_ids or group). Strategies: concat; hierarchical_summary ' +
    '("[task_id] summary" lines); voting (normalised answers, or options.field / options.pattern; reports ties); ' +
    'llm_summary (a defined agent, default summarizer, writes one answer, recorded as its own task); any other ' +
    'name returns the results as they are. Tasks that did not complete are listed under missing.',
  agentDescription: 'Merge the results of tasks you delegated: concat, hierarchical_summary, voting or llm_summary.',
  input: MergeInputSchema,
  output: MergeOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // llm_summary runs a summarizer and waits for it; the other strategies are immediate.
  waits: (input) => input.strategy === 'llm_summary',
  run: (ctx, input, options) => ctx.merge(input, options),
});
