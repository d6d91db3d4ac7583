/**
 * What a run's model calls spent, written in the store (SPEC §5, issue 11): on its task per attempt, and on the
 * `usage_total` of the task and every ancestor, in the transaction of the run's write, so that totals and budgets
 * hold across every process on the store. When that spend reaches a budget, the subtree under it stops in the same
 * transaction: the task whose budget it is and every live descendant fail, and their delegators are told; the
 * workers running any of them hear the change and abort (their HTTP requests cut).
 */
import { isTerminal } from '../model/task.js';
import type { Claim, Task } from '../model/task.js';
import { NO_SPEND } from '../model/usage.js';
import type { Spend } from '../model/usage.js';
import type { TaskStore, Transaction } from '../store/task-store.js';
import { addSpend } from '../usage/usage.js';
import { firstExhausted } from './budgets.js';
import type { Exhausted } from './budgets.js';
import { notify } from './notify.js';
import { finished } from './transitions.js';

/** What one attempt spent since its last write: the model that answered and the calls' spend. */
export interface RunSpend {
  attempt: number;
  model: string;
  spend: Spend;
}

/** The store's side of a run's spend: its writes, and the check before each model call. */
export class Spending {
  constructor(
    private readonly store: TaskStore,
    private readonly stamp: () => string,
  ) {}

  /**
   * Records what a run's model calls spent (its claim's holder only); when that spends a budget over its task, the
   * subtree under that budget fails here. Returns the budget's error, or null.
   */
  async record(claim: Claim, spent: RunSpend): Promise<string | null> {
    const exhausted = await this.store.transact((tx) => recordSpend(tx, claim.task_id, spent, this.stamp()), {
      fence: claim,
    });
    return exhausted?.message ?? null;
  }

  /** Writes `also` (a run's conversation) with what the run spent, for a task that ended otherwise meanwhile. */
  async saveWith(taskId: string, also: (tx: Transaction) => Promise<void>, spent: RunSpend | null): Promise<void> {
    await this.store.transact(async (tx) => {
      await also(tx);
      if (spent) await recordSpend(tx, taskId, spent, this.stamp());
    });
  }

  /**
   * Whether a model call may start for `task` (as stored, else as planned): the error of the first budget over it
   * that is spent, whose subtree is stopped then if it was not yet (another process spent it); null while none is.
   */
  async spent(task: Task): Promise<string | null> {
    const now = (await this.store.getTask(task.id)) ?? task;
    const spent = firstExhausted((await chainOf((id) => this.store.getTask(id), now)).reverse());
    if (spent === null) return null;
    await this.store.transact((tx) => stopIfSpent(tx, spent.task.id, this.stamp()));
    return spent.message;
  }
}

/** The task and its ancestors, the task first. `task` as the transaction sees it now. */
export async function chainOf(read: (id: string) => Promise<Task | undefined>, task: Task): Promise<Task[]> {
  const chain = [task];
  const seen = new Set([task.id]);
  let parentId = task.parent_task_id;
  while (parentId !== null && !seen.has(parentId)) {
    const parent = await read(parentId);
    if (!parent) break;
    chain.push(parent);
    seen.add(parent.id);
    parentId = parent.parent_task_id;
  }
  return chain;
}

/**
 * Adds `spent` to the task (its `usage` and the attempt's entry) and to the `usage_total` of it and its ancestors,
 * then stops the subtree of the highest budget that is now spent. Returns that budget, or null.
 */
export async function recordSpend(
  tx: Transaction,
  taskId: string,
  spent: RunSpend,
  at: string,
): Promise<Exhausted | null> {
  const task = await tx.getTask(taskId);
  if (!task) return null;
  if (spent.spend.calls > 0) {
    const byAttempt = [...task.usage_by_attempt];
    const index = byAttempt.findIndex((a) => a.attempt === spent.attempt && a.model === spent.model);
    const entry = {
      ...addSpend(index >= 0 ? (byAttempt[index] as Spend) : NO_SPEND, spent.spend),
      attempt: spent.attempt,
      model: spent.model,
    };
    if (index >= 0) byAttempt[index] = entry;
    else byAttempt.push(entry);
    tx.putTask({
      ...task,
      usage: addSpend(task.usage, spent.spend),
      usage_total: addSpend(task.usage_total, spent.spend),
      usage_by_attempt: byAttempt,
    });
    for (const ancestor of (await chainOf((id) => tx.getTask(id), task)).slice(1)) {
      tx.putTask({ ...ancestor, usage_total: addSpend(ancestor.usage_total, spent.spend) });
    }
  }
  return stopIfSpent(tx, taskId, at);
}

/**
 * Stops the subtree of the highest budget over `taskId` that its spend has reached (its own included), unless
 * that task has ended already. Returns that budget, or null when none is spent.
 */
export async function stopIfSpent(tx: Transaction, taskId: string, at: string): Promise<Exhausted | null> {
  const task = await tx.getTask(taskId);
  if (!task) return null;
  // The highest spent budget: stopping it stops every lower one too.
  const chain = (await chainOf((id) => tx.getTask(id), task)).reverse();
  const spent = firstExhausted(chain);
  if (spent !== null) await stopSubtree(tx, spent, at);
  return spent;
}

async function stopSubtree(tx: Transaction, spent: Exhausted, at: string): Promise<void> {
  const stack: Task[] = [spent.task];
  while (stack.length > 0) {
    const current = stack.pop() as Task;
    if (!isTerminal(current.status)) {
      const error = current.id === spent.task.id ? spent.message : `task ${spent.task.id}: ${spent.message}`;
      const next = finished(at, current, 'failed', { error, status_message: error });
      tx.putTask(next);
      notify(tx, next.delegated_by, 'task.notification.failed', next, null, error);
    }
    stack.push(...(await tx.children(current.id)));
  }
}
