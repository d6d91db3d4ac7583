/**
 * subagent_dispatch: run a defined agent on a task and wait for its answer (SPEC §4). The MCP surface adds the
 * generated description, the agent enum and MCP Tasks (`mcp/tools/subagent-dispatch.ts`).
 */
import { z } from 'zod';
import { TaskStatusSchema } from '../../model/task.js';
import type { Task } from '../../model/task.js';
import { SpendSchema } from '../../model/usage.js';
import { DispatchInputSchema } from '../dispatch-input.js';
import { operation } from './operation.js';

export const DispatchOutputSchema = z.object({
  result: z.string().nullable(),
  session_id: z.string(),
  task_id: z.string(),
  agent_id: z.string(),
  status: TaskStatusSchema,
  error: z.string().optional(),
  usage: SpendSchema.describe("The subagent's own model calls (null: not reported)."),
  usage_total: SpendSchema.describe('Its whole subtree, the subagents it dispatched included.'),
});
export type DispatchOutput = z.infer<typeof DispatchOutputSchema>;

/** The answer of a dispatch whose task ended. */
export function dispatchAnswer(task: Task, sessionId: string | null): DispatchOutput {
  return {
    result: task.status === 'completed' ? textOf(task.result) : null,
    session_id: sessionId ?? task.session_id ?? '',
    task_id: task.id,
    agent_id: task.assignee_id,
    status: task.status,
    ...(task.error !== null ? { error: task.error } : {}),
    usage: task.usage,
    usage_total: task.usage_total,
  };
}

export const subagentDispatch = operation({
  name: 'subagent_dispatch',
  title: 'Dispatch a subagent',
  description:
    'Dispatch a task to a specialized subagent and wait for its answer; pass its session_id back to continue ' +
    'that conversation.',
  agentDescription: 'Dispatch a task to another agent and wait for its answer.',
  input: DispatchInputSchema,
  output: DispatchOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  waits: () => true,
  async run(ctx, input, options) {
    const { task, session_id } = await ctx.dispatch(input, options);
    return dispatchAnswer(task, session_id);
  },
});

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}
