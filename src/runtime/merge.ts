/**
 * merge (SPEC §4): the caller's tasks by ids or group, merged by a strategy from one table. Tasks that did not
 * complete are listed under `missing`; `llm_summary` runs a defined agent (default summarizer) as a dispatch, so
 * its summary is a task of its own; a name the table does not hold is the seed's pass-through.
 */
import { InputError } from '../errors.js';
import type { Task } from '../model/task.js';
import type { DispatchInput } from '../tasks/dispatch-input.js';
import type { MergeInput } from '../tasks/inputs.js';
import { checkJsonSize, checkJsonValue } from '../tasks/json-value.js';
import type { MergeOutput } from '../tasks/operations/merge.js';
import type { TaskService } from '../tasks/task-service.js';
import { concat, hierarchicalSummary, passThrough, resultText, vote } from './merge-strategies.js';
import type { MergeOptions, Missing } from './merge-strategies.js';

export interface MergeCall {
  parentTaskId?: string;
  signal?: AbortSignal;
}

type Merged = Omit<MergeOutput, 'strategy' | 'task_ids' | 'missing'>;
type Dispatch = (input: DispatchInput, call: MergeCall) => Promise<{ task: Task }>;
type Strategy = (done: Task[], options: MergeOptions, dispatch: Dispatch, call: MergeCall) => Promise<Merged>;

const STRATEGIES = {
  concat: async (done, options) => concat(done, options),
  hierarchical_summary: async (done) => hierarchicalSummary(done),
  voting: (done, options) => vote(done, options),
  llm_summary: summarize,
} satisfies Record<string, Strategy>;

export type StrategyName = keyof typeof STRATEGIES;
export const STRATEGY_NAMES = Object.keys(STRATEGIES) as StrategyName[];

function strategyOf(name: string): Strategy {
  return Object.hasOwn(STRATEGIES, name) ? STRATEGIES[name as StrategyName] : async (done) => passThrough(done);
}

export class Merger {
  constructor(
    private readonly tasks: TaskService,
    /** A dispatch by `caller`. */
    private readonly dispatch: (caller: string, input: DispatchInput, call: MergeCall) => Promise<{ task: Task }>,
  ) {}

  async merge(caller: string, input: MergeInput, call: MergeCall = {}): Promise<MergeOutput> {
    const tasks = await this.tasks.select(caller, input, true);
    const done = tasks.filter((t) => t.status === 'completed');
    const missing: Missing[] = tasks
      .filter((t) => t.status !== 'completed')
      .map((t) => ({ task_id: t.id, status: t.status, error: t.error }));
    const merged = await strategyOf(input.strategy)(
      done,
      input.options ?? {},
      (summary, c) => this.dispatch(caller, summary, c),
      call,
    );
    // SPEC §10: what a merge produces is a result like any other, held to the same limits.
    checkJsonSize(merged, 'the merged result');
    return { strategy: input.strategy, task_ids: tasks.map((t) => t.id), missing, ...merged };
  }
}

/** llm_summary: a defined agent writes one answer from all the results, as a dispatch (a task of its own). */
async function summarize(done: Task[], options: MergeOptions, dispatch: Dispatch, call: MergeCall): Promise<Merged> {
  if (done.length === 0)
    throw new InputError('nothing_to_merge', 'llm_summary: none of the tasks completed; see missing');
  const context = done
    .map((t) => `[${t.id}] (${t.assignee_id}: ${t.description})\n${resultText(t.result)}`)
    .join('\n\n');
  checkJsonValue(context, 'llm_summary: the results given to the summarizer');
  const { task } = await dispatch(
    {
      agent_id: options.agent ?? 'summarizer',
      task: options.instructions ?? `Merge these ${done.length} results into one answer.`,
      context,
    },
    call,
  );
  if (task.status !== 'completed') {
    throw new InputError('summary_failed', `llm_summary: ${task.assignee_id} ${task.status}: ${task.error ?? ''}`);
  }
  return { summary: resultText(task.result), summary_task_id: task.id, source_count: done.length };
}
