/** merge: one answer from the results of tasks the caller delegated (SPEC §4). The strategies are the runtime's. */
import { MergeInputSchema } from '../inputs.js';
import { MergeOutputSchema } from '../views.js';
import { operation } from './operation.js';

export { MergeOutputSchema };
export type { MergeOutput } from '../views.js';

export const merge = operation({
  name: 'merge',
  title: 'Merge task results',
  description:
    'Merge the results of tasks you delegated: concat; hierarchical_summary ("[task_id] summary" lines); voting ' +
    '(on normalised answers); llm_summary (an agent writes one answer, as its own task).',
  agentDescription: 'Merge the results of tasks you delegated: concat, hierarchical_summary, voting or llm_summary.',
  input: MergeInputSchema,
  output: MergeOutputSchema,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  // llm_summary runs a summarizer and waits for it; the other strategies are immediate.
  waits: (input) => input.strategy === 'llm_summary',
  run: (ctx, input, options) => ctx.merge(input, options),
});
