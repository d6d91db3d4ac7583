/**
 * The reading half of the task service: what callers may see (parties only; an id that is not theirs is "not
 * found"), pages of tasks and inboxes, and waiting for tasks to end over the change feed's facts on the bus.
 */
import { InputError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { isTerminal } from '../model/task.js';
import type { Task } from '../model/task.js';
import type { Change, TaskQuery, TaskStore } from '../store/task-store.js';
import { visible } from './creation.js';
import type { GetInput, ListInput, ReadInboxInput, WaitInput } from './inputs.js';
import { outcomeOf, summarize } from './views.js';
import type { InboxPage, TaskList, TaskView, WaitOutcome } from './views.js';

const LIST_DEFAULT = 50;
/** The store's largest page. */
const PAGE = 500;

export interface WaitOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Hears of each task as it ends (not of those that had ended before the wait began). */
  onEnded?: (task: Task) => void;
}

export class TaskReads {
  constructor(
    protected readonly store: TaskStore,
    protected readonly bus: EventBus,
  ) {}

  /** A task by id without access checks: for Baton's own parts (timers, runtime), never for callers. */
  peek(taskId: string): Promise<Task | undefined> {
    return this.store.getTask(taskId);
  }

  /** The store's highest change seq so far (Baton's own parts: where "since now" starts). */
  headSeq(): Promise<number> {
    return this.store.headSeq();
  }

  /**
   * The store's change feed from `sinceSeq` (Baton's own parts: the board's event stream): every change of every
   * process, once, in seq order. Returns the unsubscribe function.
   */
  changes(sinceSeq: number, listener: (change: Change) => void): () => void {
    return this.store.subscribe(sinceSeq, listener);
  }

  /** Every task that matches, page after page (Baton's own parts: timers at start, the worker's sweep). */
  async *all(query: Omit<TaskQuery, 'cursor' | 'limit'>): AsyncIterable<Task> {
    let cursor: string | null = null;
    do {
      const page = await this.store.findTasks({ ...query, limit: PAGE, cursor });
      yield* page.tasks;
      cursor = page.next_cursor;
    } while (cursor !== null);
  }

  /** A task the caller is a party to, with its children. */
  async get(caller: string, input: GetInput): Promise<TaskView> {
    const task = visible(await this.store.getTask(input.task_id), caller, input.task_id);
    const children: Task[] = [];
    for await (const child of this.all({ parent: task.id, order: 'oldest' })) children.push(child);
    return { task, children: children.map(summarize) };
  }

  /** Tasks the caller is a party to, newest first, a page at a time. */
  async list(caller: string, input: ListInput): Promise<TaskList> {
    const page = await this.store.findTasks({
      party: caller,
      ...(input.role ? { role: input.role === 'delegated_by_me' ? 'delegated_by' : 'assigned_to' } : {}),
      ...(input.status ? { status: input.status } : {}),
      ...(input.group !== undefined ? { group: input.group } : {}),
      order: 'newest',
      limit: input.limit ?? LIST_DEFAULT,
      cursor: input.cursor ?? null,
    });
    return { tasks: page.tasks.map(summarize), next_cursor: page.next_cursor };
  }

  /**
   * The tasks named by `task_ids` (the caller must be a party) or by `group` (those the caller delegated, oldest
   * first). With `delegatorOnly`, a named task the caller did not delegate is refused.
   */
  async select(
    caller: string,
    input: { task_ids?: string[]; group?: string },
    delegatorOnly: boolean,
  ): Promise<Task[]> {
    if ((input.task_ids === undefined) === (input.group === undefined)) {
      throw new InputError('bad_selection', 'give either task_ids or group');
    }
    if (input.group !== undefined) {
      const tasks: Task[] = [];
      for await (const t of this.all({ party: caller, role: 'delegated_by', group: input.group, order: 'oldest' })) {
        tasks.push(t);
      }
      if (tasks.length === 0) {
        throw new InputError('not_found', `group not found: no task of group "${input.group}" was delegated by you`);
      }
      return tasks;
    }
    const ids = [...new Set(input.task_ids)];
    const found = new Map((await this.store.getTasks(ids)).map((t) => [t.id, t]));
    return ids.map((id) => {
      const task = visible(found.get(id), caller, id);
      if (delegatorOnly && task.delegated_by !== caller) {
        throw new InputError(
          'not_delegator',
          `task ${id} was delegated by ${task.delegated_by}; only its delegator can merge it`,
        );
      }
      return task;
    });
  }

  /**
   * Waits until all (or any) of the tasks have ended, or the timeout. Never throws for a timeout: the answer says
   * which tasks are still running.
   */
  async waitFor(caller: string, input: WaitInput, options: Omit<WaitOptions, 'timeoutMs'> = {}): Promise<WaitOutcome> {
    const tasks = await this.select(caller, input, false);
    const mode = input.mode ?? 'all';
    const waited = await this.awaitEnd(
      tasks.map((t) => t.id),
      mode,
      { ...options, timeoutMs: (input.timeout_seconds ?? 600) * 1000 },
    );
    const ended = waited.tasks.filter((t) => isTerminal(t.status)).length;
    return {
      done: mode === 'all' ? ended === waited.tasks.length : ended > 0,
      timed_out: waited.timedOut,
      tasks: waited.tasks.map(outcomeOf),
      pending_task_ids: waited.tasks.filter((t) => !isTerminal(t.status)).map((t) => t.id),
    };
  }

  /**
   * The one wait for tasks to end, over the change feed (the bus's `task.changed` facts): all of them, or any one.
   * Resolves with the tasks as stored once the condition holds, the timeout passes or `signal` aborts.
   */
  async awaitEnd(
    ids: readonly string[],
    mode: 'all' | 'any',
    options: WaitOptions = {},
  ): Promise<{ timedOut: boolean; tasks: Task[] }> {
    const wanted = new Set(ids);
    const ended = new Set<string>();
    const satisfied = () => (mode === 'all' ? ended.size === wanted.size : ended.size > 0);
    let wake: (timedOut: boolean) => void = () => undefined;
    const woken = new Promise<boolean>((resolve) => (wake = resolve));
    // Listen first, then look: a task that ends in between is heard or seen, and counted once either way.
    const unsubscribe = this.bus.subscribe('task.changed', (fact) => {
      if (!wanted.has(fact.id) || !isTerminal(fact.status) || ended.has(fact.id)) return;
      ended.add(fact.id);
      if (options.onEnded) void this.store.getTask(fact.id).then((t) => t && options.onEnded?.(t));
      if (satisfied()) wake(false);
    });
    const onAbort = () => wake(false);
    const timer = options.timeoutMs !== undefined ? setTimeout(() => wake(true), options.timeoutMs) : null;
    try {
      for (const task of await this.store.getTasks(ids)) if (isTerminal(task.status)) ended.add(task.id);
      if (wanted.size > 0 && !satisfied() && !options.signal?.aborted) {
        options.signal?.addEventListener('abort', onAbort, { once: true });
        const timedOut = await woken;
        return { timedOut, tasks: await this.store.getTasks(ids) };
      }
      return { timedOut: false, tasks: await this.store.getTasks(ids) };
    } finally {
      unsubscribe();
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    }
  }

  async readInbox(caller: string, input: ReadInboxInput): Promise<InboxPage> {
    return this.inboxSince(caller, input.after ?? 0, input.limit ?? LIST_DEFAULT);
  }

  /** An agent's inbox after `after`, for Baton's own runs and for the agent itself. */
  async inboxSince(agentId: string, after: number, limit: number): Promise<InboxPage> {
    const items = await this.store.inbox(agentId, after, limit);
    return { items, next_cursor: items[items.length - 1]?.seq ?? after };
  }
}
