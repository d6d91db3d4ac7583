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
