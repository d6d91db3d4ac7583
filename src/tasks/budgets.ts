/**
 * Budgets (SPEC §5): a task's `budget_tokens` / `budget_usd` hold for its whole subtree's spend (`usage_total`).
 * Pure rules over a task and its ancestors: what a new child may have, and whether a budget is spent.
 */
import { InputError } from '../errors.js';
import type { Task } from '../model/task.js';

/** What a delegator asks for a new task, beside the server's `--max-tokens-per-root` for a root task. */
export interface BudgetRequest {
  budget_tokens?: number | undefined;
  budget_usd?: number | undefined;
}

/** A budget that is spent: the task it belongs to, and the error its task fails with. */
export interface Exhausted {
  task: Task;
  message: string;
}

/**
 * The budgets of a new task under `ancestors` (its parent first): what it asked for, never more than any
 * ancestor has left (SPEC §5: a child's budget never exceeds what remains of its parent's), and for a root task
 * never more than `maxTokensPerRoot`. An ancestor with nothing left refuses the child: that is `exhausted`.
 */
export function childBudget(
  request: BudgetRequest,
  ancestors: readonly Task[],
  maxTokensPerRoot: number | null,
): { budget_tokens: number | null; budget_usd: number | null } {
  let tokens = request.budget_tokens ?? null;
  let usd = request.budget_usd ?? null;
  if (ancestors.length === 0 && maxTokensPerRoot !== null) tokens = min(tokens, maxTokensPerRoot);
  for (const ancestor of ancestors) {
    const spent = exhaustion(ancestor);
    if (spent !== null) {
      throw new InputError(
        'budget_exhausted',
        `parent_task_id: nothing new starts under task ${ancestor.id}: ${spent}`,
      );
    }
    if (ancestor.budget_tokens !== null) tokens = min(tokens, ancestor.budget_tokens - spentTokens(ancestor));
    if (ancestor.budget_usd !== null) usd = min(usd, round(ancestor.budget_usd - (ancestor.usage_total.cost_usd ?? 0)));
  }
  return { budget_tokens: tokens, budget_usd: usd };
}

/** The first of `chain` (the task itself, then its ancestors) whose budget its subtree has spent, or null. */
export function firstExhausted(chain: readonly Task[]): Exhausted | null {
  for (const task of chain) {
    const message = exhaustion(task);
    if (message !== null) return { task, message };
  }
  return null;
}

/** Why `task`'s budget is spent ("budget exhausted: spent N of M tokens"), or null while it is not. */
export function exhaustion(task: Task): string | null {
  const total = task.usage_total;
  if (task.budget_tokens !== null && spentTokens(task) >= task.budget_tokens) {
    return `budget exhausted: spent ${spentTokens(task)} of ${task.budget_tokens} tokens`;
  }
  if (task.budget_usd !== null && total.calls > 0) {
    // A USD budget holds only while every call under it has a price: a cost that cannot be known is no cap.
    if (total.cost_usd === null) {
      return `budget exhausted: the cost of a model call under it is unknown (no price for its model), so its $${task.budget_usd} budget cannot be held`;
    }
    if (total.cost_usd >= task.budget_usd) {
      return `budget exhausted: spent $${total.cost_usd} of $${task.budget_usd}`;
    }
  }
  return null;
}

/** Tokens the task's subtree spent, 0 when none were reported. */
export function spentTokens(task: Task): number {
  return task.usage_total.total_tokens ?? 0;
}

function min(a: number | null, b: number): number {
  return a === null ? b : Math.min(a, b);
}

function round(value: number): number {
  return Math.round(value * 1e10) / 1e10;
}
