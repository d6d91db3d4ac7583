/** The input of `subagent_dispatch`. The MCP tool narrows `agent_id` to an enum of the dispatchable agents. */
import { z } from 'zod';
import { BudgetInputShape, LIMITS } from './inputs.js';

export const DispatchInputSchema = z.object({
  agent_id: z.string().min(1).max(LIMITS.idChars).describe('The agent to dispatch: one of the available agents.'),
  task: z.string().min(1).max(LIMITS.textChars).describe('What to do, in plain language.'),
  context: z
    .string()
    .max(LIMITS.textChars)
    .optional()
    .describe('Background (files, findings, constraints), appended to the task.'),
  session_id: z
    .string()
    .min(1)
    .max(LIMITS.idChars)
    .optional()
    .describe('From an earlier dispatch to this agent, to continue that conversation.'),
  timeout_seconds: z
    .number()
    .positive()
    .max(24 * 3600)
    .optional()
    .describe("Seconds until it stops as timed_out (default: the agent's or server's)."),
  ...BudgetInputShape,
});
export type DispatchInput = z.infer<typeof DispatchInputSchema>;
