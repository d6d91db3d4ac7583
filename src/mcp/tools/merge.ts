import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { TaskStatusSchema } from '../../store/records.js';
import { MergeInputSchema } from '../../tasks/inputs.js';
import type { DispatchContext } from '../context.js';
import { toolResult } from '../tool-result.js';

export const name = 'merge';

const OutputSchema = z.object({
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

/** merge: one answer from the results of tasks the caller delegated. */
export function register(server: McpServer, ctx: DispatchContext): void {
  server.registerTool(
    name,
    {
      title: 'Merge task results',
      description:
        'Merge the results of tasks you delegated (by task_ids or group). Strategies: concat; hierarchical_summary ' +
        '("[task_id] summary" lines); voting (normalised answers, or options.field / options.pattern; reports ties); ' +
        'llm_summary (a defined agent, default summarizer, writes one answer, recorded as its own task); any other ' +
        'name returns the results as they are. Tasks that did not complete are listed under missing.',
      inputSchema: MergeInputSchema.shape,
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
    },
    (args, extra) => toolResult(() => ctx.runtime.merge(ctx.caller, args, { signal: extra.signal })),
  );
}
