/**
 * The task service: the task lifecycle (SPEC §5), the access rules, notifications into inboxes (SPEC §6).
 * Every change goes through one store transaction and is on disk before the method returns.
 */
import { randomUUID } from 'node:crypto';
import { InputError, NotFoundError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { InboxEvent, InboxItem, Task, TaskStatus } from '../store/records.js';
import { isTerminal } from '../store/records.js';
import type { TaskStore, Transaction } from '../store/task-store.js';
import { checkJsonValue } from './json-value.js';
import type {
  CancelInput,
  CompleteInput,
  DelegateInput,
  FailInput,
  GetInput,
  ListInput,
  ProgressInput,
  ReadInboxInput,
  SendMessageInput,
  WaitInput,
} from './inputs.js';

export interface TaskServiceOptions {
  store: TaskStore;
  bus: EventBus;
  /** Default task timeout in seconds (`--default-timeout`). */
  defaultTimeoutSeconds: number;
  now?: () => Date;
}

/** How a task is created, beyond what the delegator says. */
export interface CreateOptions {
  kind?: Task['kind'];
  session_id?: string | null;
  /** A fresh id reserved beforehand (MCP Tasks: the MCP task id is the Baton task id). */
  id?: string;
  /** The process that will run it, when known at creation (a dispatch runs where it is made). */
  runner?: string;
  /** `false` inside a call that returns only after a later durable change (see `TransactOptions`). */
  durable?: boolean;
}

/** A task as `list_tasks` shows it: no payload, result or history. */
export type TaskSummary = Pick<
  Task,
  | 'id'
  | 'kind'
  | 'status'
  | 'status_message'
  | 'delegated_by'
  | 'assignee_id'
  | 'description'
  | 'priority'
  | 'group'
  | 'parent_task_id'
  | 'created_at'
  | 'updated_at'
  | 'deadline'
  | 'finished_at'
>;

/** A task's outcome as wait_for_tasks reports it. */
export interface TaskOutcome {
  id: string;
  assignee_id: string;
  status: Task['status'];
  status_message: string | null;
  result?: unknown;
  error: string | null;
}

export interface WaitOutcome {
  /** Whether the wait's condition (all / any ended) holds. */
  done: boolean;
  timed_out: boolean;
  tasks: TaskOutcome[];
  pending_task_ids: string[];
}

export interface CancelOutcome {
  task: Task;
  changed: boolean;
  cancelled_task_ids: string[];
  message: string;
}

const LIST_DEFAULT = 50;

export class TaskService {
  private readonly store: TaskStore;
  private readonly bus: EventBus;
  private readonly defaultTimeoutSeconds: number;
  private readonly now: () => Date;

  constructor(options: TaskServiceOptions) {
    this.store = options.store;
    this.bus = options.bus;
    this.defaultTimeoutSeconds = options.defaultTimeoutSeconds;
    this.now = options.now ?? (() => new Date());
    // Every change the store applies, ours or another process's, is published on the bus.
    this.store.onChange((change) => {
      for (const task of change.tasks) this.bus.publish({ type: 'task.updated', task, origin: change.origin });
      for (const item of change.inbox) this.bus.publish({ type: 'inbox.added', item, origin: change.origin });
    });
  }

  /** Creates a task assigned to `input.assignee_id`, delegated by `caller`. */
  async delegate(caller: string, input: DelegateInput, options: CreateOptions = {}): Promise<Task> {
    if (input.payload !== undefined) checkJsonValue(input.payload, 'payload');
    return this.store.transact(
      (tx) => {
        const now = this.stamp();
        const timeout = input.timeout_seconds ?? this.defaultTimeoutSeconds;
        let deadline = new Date(this.now().getTime() + timeout * 1000).toISOString();
        let parent: Task | undefined;
        if (input.parent_task_id !== undefined) {
          parent = this.visible(tx.getTask(input.parent_task_id), caller, input.parent_task_id);
          if (parent.assignee_id !== caller) {
            throw new InputError(
              'not_assignee',
              `parent_task_id: ${parent.id} is assigned to ${parent.assignee_id}, not you; only its assignee can add subtasks`,
            );
          }
          if (isTerminal(parent.status)) {
            throw new InputError('terminal', `parent_task_id: task ${parent.id} is already ${parent.status}`);
          }
          // SPEC §5: a child's deadline never passes its parent's.
          if (parent.deadline !== null && parent.deadline < deadline) deadline = parent.deadline;
        }
        const id = options.id ?? randomUUID();
        if (tx.getTask(id)) throw new InputError('duplicate_id', `task ${id} already exists`);
        // Dependencies must exist already, so a new task can never close a cycle; each must be visible to the caller.
        const deps = [...new Set(input.depends_on ?? [])].map((d) => this.visible(tx.getTask(d), caller, d));
        const ended = deps.find((d) => isTerminal(d.status) && d.status !== 'completed');
        if (ended) {
          throw new InputError(
            'dependency_ended',
            `depends_on: task ${ended.id} already ended ${ended.status}; this task could never start`,
          );
        }
        const waiting = deps.filter((d) => d.status !== 'completed').length;
        const pending = waiting > 0;
        const task: Task = {
          id,
          kind: options.kind ?? 'delegation',
          delegated_by: caller,
          assignee_id: input.assignee_id,
          description: input.description,
          ...(input.payload !== undefined ? { payload: input.payload } : {}),
          status: pending ? 'pending' : 'in_progress',
          status_message: pending ? waitingFor(waiting) : null,
          priority: input.priority ?? 'normal',
          group: input.group ?? null,
          depends_on: deps.map((d) => d.id),
          parent_task_id: parent?.id ?? null,
          root_task_id: parent?.root_task_id ?? id,
          depth: parent ? parent.depth + 1 : 0,
          timeout_seconds: timeout,
          created_at: now,
          // SPEC §5: deadline = start + timeout; a pending task has not started.
          started_at: pending ? null : now,
          updated_at: now,
          deadline: pending ? null : deadline,
          finished_at: null,
          progress: [],
          error: null,
          attempts: 0,
          max_retries: input.max_retries ?? 0,
          session_id: options.session_id ?? null,
          runner: options.runner ?? null,
        };
        tx.putTask(task);
        this.notify(tx, task.assignee_id, 'task.notification.assigned', task, caller, task.description);
        return task;
      },
      { durable: options.durable ?? true },
    );
  }

  async reportProgress(caller: string, input: ProgressInput): Promise<Task> {
    if (input.data !== undefined) checkJsonValue(input.data, 'data');
    return this.store.transact((tx) => {
      const task = this.writable(tx, caller, input.task_id);
      const now = this.stamp();
      const entry = { at: now, message: input.message, ...(input.data !== undefined ? { data: input.data } : {}) };
      const next: Task = {
        ...task,
        status_message: input.message,
        updated_at: now,
        progress: [...task.progress, entry],
      };
      tx.putTask(next);
      this.notify(tx, task.delegated_by, 'task.notification.progress', next, caller, input.message, input.data);
      return next;
    });
  }

  /** Completes with `input.result`, whoever produced it (a tool call, a subagent's final answer): within limits. */
  async complete(caller: string, input: CompleteInput): Promise<Task> {
    checkJsonValue(input.result, 'result');
    return this.store.transact((tx) => {
      const task = this.writable(tx, caller, input.task_id);
      const next = this.finish(task, 'completed', { result: input.result, status_message: 'completed' });
      tx.putTask(next);
      this.notify(tx, task.delegated_by, 'task.notification.completed', next, caller, null);
      return next;
    });
  }

  async fail(caller: string, input: FailInput): Promise<Task> {
    return this.store.transact((tx) => {
      const task = this.writable(tx, caller, input.task_id);
      const next = this.finish(task, 'failed', { error: input.error, status_message: input.error });
      tx.putTask(next);
      this.notify(tx, task.delegated_by, 'task.notification.failed', next, caller, input.error);
      return next;
    });
  }

  /** Cancels a task and every descendant (the seed's terminate). A terminal task is left as it is. */
  async cancel(caller: string, input: CancelInput): Promise<CancelOutcome> {
    return this.store.transact((tx) => {
      const task = this.visible(tx.getTask(input.task_id), caller, input.task_id);
      if (task.delegated_by !== caller) {
        throw new InputError(
          'not_delegator',
          `task ${task.id} was delegated by ${task.delegated_by}; only its delegator can cancel it`,
        );
      }
      if (isTerminal(task.status)) {
        return {
          task,
          changed: false,
          cancelled_task_ids: [],
          message: `task ${task.id} is already ${task.status}; nothing changed`,
        };
      }
      const reason = input.reason ?? `cancelled by ${caller}`;
      const cancelled: string[] = [];
      let root: Task = task;
      const stack: Task[] = [task];
      while (stack.length > 0) {
        const current = stack.pop() as Task;
        const fresh = tx.getTask(current.id) ?? current;
        if (!isTerminal(fresh.status)) {
          const next = this.finish(fresh, 'cancelled', {
            error: fresh.id === task.id ? reason : `parent task ${fresh.parent_task_id} was cancelled: ${reason}`,
            status_message: 'cancelled',
          });
          tx.putTask(next);
          this.notify(tx, next.assignee_id, 'task.notification.cancelled', next, caller, next.error);
          cancelled.push(next.id);
          if (next.id === task.id) root = next;
        }
        stack.push(...this.store.childrenOf(current.id));
      }
      const n = cancelled.length - 1;
      return {
        task: root,
        changed: true,
        cancelled_task_ids: cancelled,
        message: `cancelled task ${task.id}${n > 0 ? ` and ${n} descendant task${n === 1 ? '' : 's'}` : ''}`,
      };
    });
  }

  /** Times out a task whose deadline has passed (both parties are told). Returns null when nothing changed. */
  async expire(taskId: string): Promise<Task | null> {
    return this.store.transact((tx) => {
      const task = tx.getTask(taskId);
      if (!task || isTerminal(task.status) || task.deadline === null) return null;
      if (task.deadline > this.now().toISOString()) return null;
      const message = `timed out after ${task.timeout_seconds} s`;
      const next = this.finish(task, 'timed_out', { error: message, status_message: message });
      tx.putTask(next);
      this.notify(tx, task.delegated_by, 'task.notification.timeout', next, null, message);
      this.notify(tx, task.assignee_id, 'task.notification.timeout', next, null, message);
      return next;
    });
  }

  /**
   * Moves pending tasks on once their dependencies allow: all completed → `in_progress` (its deadline starts now);
   * one ended otherwise → `failed`, naming it. Tasks that are not pending are left alone.
   */
  async settlePending(taskIds: Iterable<string>): Promise<Task[]> {
    const ids = [...taskIds];
    if (ids.length === 0) return [];
    return this.store.transact((tx) => {
      const changed: Task[] = [];
      for (const id of ids) {
        const task = tx.getTask(id);
        if (!task || task.status !== 'pending') continue;
        const deps = task.depends_on.map((d) => tx.getTask(d));
        const ended = deps.find((d) => d === undefined || (isTerminal(d.status) && d.status !== 'completed'));
        if (ended !== undefined || deps.includes(undefined)) {
          const which = ended ?? undefined;
          const message = which
            ? `dependency ${which.id} (${excerpt(which.description, 80)}) ended ${which.status}`
            : 'a dependency no longer exists';
          const next = this.finish(task, 'failed', { error: message, status_message: message });
          tx.putTask(next);
          this.notify(tx, task.delegated_by, 'task.notification.failed', next, null, message);
          changed.push(next);
          continue;
        }
        const waiting = deps.filter((d) => d?.status !== 'completed').length;
        if (waiting > 0) {
          if (task.status_message !== waitingFor(waiting)) {
            const next = { ...task, status_message: waitingFor(waiting), updated_at: this.stamp() };
            tx.putTask(next);
            changed.push(next);
          }
          continue;
        }
        const now = this.now();
        let deadline = new Date(now.getTime() + task.timeout_seconds * 1000).toISOString();
        const parent = task.parent_task_id ? tx.getTask(task.parent_task_id) : undefined;
        if (parent?.deadline && parent.deadline < deadline) deadline = parent.deadline;
        const next: Task = {
          ...task,
          status: 'in_progress',
          status_message: null,
          started_at: now.toISOString(),
          updated_at: now.toISOString(),
          deadline,
        };
        tx.putTask(next);
        changed.push(next);
      }
      return changed;
    });
  }

  /** Pending tasks that wait on `taskId`. */
  dependentsOf(taskId: string): Task[] {
    return this.store.dependentsOf(taskId).filter((t) => t.status === 'pending');
  }

  /**
   * The tasks named by `task_ids` (the caller must be a party) or by `group` (those the caller delegated).
   * With `delegatorOnly`, a named task the caller did not delegate is refused.
   */
  async select(
    caller: string,
    input: { task_ids?: string[]; group?: string },
    delegatorOnly: boolean,
  ): Promise<Task[]> {
    await this.store.refresh();
    if ((input.task_ids === undefined) === (input.group === undefined)) {
      throw new InputError('bad_selection', 'give either task_ids or group');
    }
    if (input.group !== undefined) {
      const tasks: Task[] = [];
      for (const t of this.store.newestFirst()) if (t.group === input.group && t.delegated_by === caller) tasks.push(t);
      if (tasks.length === 0)
        throw new InputError('not_found', `group not found: no task of group "${input.group}" was delegated by you`);
      return tasks.reverse();
    }
    return [...new Set(input.task_ids)].map((id) => {
      const task = this.visible(this.store.getTask(id), caller, id);
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
   * Waits until all (or any) of the tasks have ended, or the timeout. `onEnded` hears of each task as it ends.
   * Never throws for a timeout: the answer says which tasks are still running.
   */
  async waitFor(
    caller: string,
    input: WaitInput,
    options: { signal?: AbortSignal; onEnded?: (task: Task) => void } = {},
  ): Promise<WaitOutcome> {
    const tasks = await this.select(caller, input, false);
    const ids = new Set(tasks.map((t) => t.id));
    const mode = input.mode ?? 'all';
    const ended = new Set<string>();
    const current = () => [...ids].map((id) => this.store.getTask(id) as Task);
    const satisfied = () => (mode === 'all' ? ended.size === ids.size : ended.size > 0);
    for (const t of current()) if (isTerminal(t.status)) ended.add(t.id);
    let timedOut = false;
    if (!satisfied()) {
      timedOut = await new Promise<boolean>((resolve) => {
        const finish = (value: boolean) => {
          clearTimeout(timer);
          unsubscribe();
          options.signal?.removeEventListener('abort', onAbort);
          resolve(value);
        };
        const onAbort = () => finish(false);
        const timer = setTimeout(() => finish(true), (input.timeout_seconds ?? 600) * 1000);
        const unsubscribe = this.bus.subscribe('task.updated', ({ task }) => {
          if (!ids.has(task.id) || !isTerminal(task.status) || ended.has(task.id)) return;
          ended.add(task.id);
          options.onEnded?.(task);
          if (satisfied()) finish(false);
        });
        options.signal?.addEventListener('abort', onAbort, { once: true });
        // The state may have moved between the first look and subscribing.
        for (const t of current()) if (isTerminal(t.status)) ended.add(t.id);
        if (satisfied()) finish(false);
      });
    }
    const all = current();
    return {
      done: satisfied(),
      timed_out: timedOut,
      tasks: all.map(outcomeOf),
      pending_task_ids: all.filter((t) => !isTerminal(t.status)).map((t) => t.id),
    };
  }

  /** A task the caller is a party to, with its children. */
  async get(caller: string, input: GetInput): Promise<{ task: Task; children: TaskSummary[] }> {
    await this.store.refresh();
    const task = this.visible(this.store.getTask(input.task_id), caller, input.task_id);
    return { task, children: this.store.childrenOf(task.id).map(summarize) };
  }

  /** Tasks the caller is a party to, newest first, a page at a time. */
  async list(caller: string, input: ListInput): Promise<{ tasks: TaskSummary[]; next_cursor: string | null }> {
    await this.store.refresh();
    const limit = input.limit ?? LIST_DEFAULT;
    const statuses = input.status ? new Set<TaskStatus>(input.status) : null;
    const after = input.cursor !== undefined ? decodeCursor(input.cursor) : null;
    // A cursor names the last task of a page the caller was shown, so one the caller is not a party to answers
    // exactly like an unknown one: the answer must not tell whether a foreign id exists.
    const at = after !== null ? this.store.getTask(after) : undefined;
    if (after !== null && (!at || (at.delegated_by !== caller && at.assignee_id !== caller))) {
      throw new InputError('bad_cursor', 'cursor: unknown or expired; list again without a cursor');
    }
    let skipping = after !== null;
    const page: TaskSummary[] = [];
    let more = false;
    for (const task of this.store.newestFirst()) {
      if (skipping) {
        if (task.id === after) skipping = false;
        continue;
      }
      if (!matches(task, caller, input, statuses)) continue;
      if (page.length === limit) {
        more = true;
        break;
      }
      page.push(summarize(task));
    }
    const last = page[page.length - 1];
    return { tasks: page, next_cursor: more && last ? encodeCursor(last.id) : null };
  }

  async sendMessage(caller: string, input: SendMessageInput): Promise<InboxItem> {
    return this.store.transact((tx) => {
      if (input.task_id !== undefined) this.visible(tx.getTask(input.task_id), caller, input.task_id);
      return tx.addInbox({
        recipient: input.to_agent_id,
        event: 'message.received',
        from: caller,
        task_id: input.task_id ?? null,
        content: input.content,
        created_at: this.stamp(),
      });
    });
  }

  async readInbox(caller: string, input: ReadInboxInput): Promise<{ items: InboxItem[]; next_cursor: number }> {
    await this.store.refresh();
    const after = input.after ?? 0;
    const items = this.store.inbox(caller, after, input.limit ?? LIST_DEFAULT);
    const last = items[items.length - 1];
    return { items, next_cursor: last ? last.seq : after };
  }

  /**
   * Records how a live task is being worked (runner, attempts, status message, session): Baton's runtime only.
   * Returns null, changing nothing, when the task is gone or already ended.
   */
  async amend(
    taskId: string,
    patch: Partial<Pick<Task, 'runner' | 'attempts' | 'status_message' | 'session_id'>>,
    options: { durable?: boolean } = {},
  ): Promise<Task | null> {
    return this.store.transact(
      (tx) => {
        const task = tx.getTask(taskId);
        if (!task || isTerminal(task.status)) return null;
        const next: Task = { ...task, ...patch, updated_at: this.stamp() };
        tx.putTask(next);
        return next;
      },
      { durable: options.durable ?? true },
    );
  }

  /** A task by id without access checks: for Baton's own parts (timers, runtime), never for callers. */
  peek(taskId: string): Task | undefined {
    return this.store.getTask(taskId);
  }

  /**
   * An agent's inbox after `after`, as this process knows it, without waiting to look at the file: for Baton's own
   * runs, which must not queue behind a write in flight (the store's poller brings other processes' items in).
   */
  inboxSince(agentId: string, after: number, limit: number): { items: InboxItem[]; next_cursor: number } {
    const items = this.store.inbox(agentId, after, limit);
    return { items, next_cursor: items[items.length - 1]?.seq ?? after };
  }

  /** Every task that is not terminal (deadline scheduling, restart recovery). */
  *live(): Iterable<Task> {
    for (const task of this.store.all()) if (!isTerminal(task.status)) yield task;
  }

  // ---- rules ---------------------------------------------------------------------------------------------

  /** The task if the caller is a party to it; otherwise "not found", so that ids never leak. */
  private visible(task: Task | undefined, caller: string, id: string): Task {
    if (!task || (task.delegated_by !== caller && task.assignee_id !== caller)) throw new NotFoundError('task', id);
    return task;
  }

  /** The task if the caller is its assignee and it is not terminal. */
  private writable(tx: Transaction, caller: string, id: string): Task {
    const task = this.visible(tx.getTask(id), caller, id);
    if (task.assignee_id !== caller) {
      throw new InputError(
        'not_assignee',
        `task ${id} is assigned to ${task.assignee_id}; only its assignee can report progress, complete or fail it`,
      );
    }
    if (isTerminal(task.status)) {
      throw new InputError('terminal', `task ${id} is already ${task.status}; nothing changed`);
    }
    return task;
  }

  private finish(
    task: Task,
    status: TaskStatus,
    fields: { result?: unknown; error?: string; status_message: string },
  ): Task {
    const now = this.stamp();
    return {
      ...task,
      status,
      status_message: fields.status_message,
      ...(fields.result !== undefined ? { result: fields.result } : {}),
      error: fields.error ?? null,
      updated_at: now,
      finished_at: now,
    };
  }

  private notify(
    tx: Transaction,
    recipient: string,
    event: InboxEvent,
    task: Task,
    from: string | null,
    content: string | null,
    data?: unknown,
  ): void {
    tx.addInbox({
      recipient,
      event,
      from,
      task_id: task.id,
      content,
      data: { status: task.status, description: excerpt(task.description), ...(data !== undefined ? { data } : {}) },
      created_at: task.updated_at,
    });
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}

export function summarize(task: Task): TaskSummary {
  return {
    id: task.id,
    kind: task.kind,
    status: task.status,
    status_message: task.status_message,
    delegated_by: task.delegated_by,
    assignee_id: task.assignee_id,
    description: excerpt(task.description),
    priority: task.priority,
    group: task.group,
    parent_task_id: task.parent_task_id,
    created_at: task.created_at,
    updated_at: task.updated_at,
    deadline: task.deadline,
    finished_at: task.finished_at,
  };
}

function matches(task: Task, caller: string, input: ListInput, statuses: Set<TaskStatus> | null): boolean {
  const mine =
    input.role === 'delegated_by_me'
      ? task.delegated_by === caller
      : input.role === 'assigned_to_me'
        ? task.assignee_id === caller
        : task.delegated_by === caller || task.assignee_id === caller;
  if (!mine) return false;
  if (statuses && !statuses.has(task.status)) return false;
  if (input.group !== undefined && task.group !== input.group) return false;
  return true;
}

export function outcomeOf(task: Task): TaskOutcome {
  return {
    id: task.id,
    assignee_id: task.assignee_id,
    status: task.status,
    status_message: task.status_message,
    ...(task.result !== undefined ? { result: task.result } : {}),
    error: task.error,
  };
}

function waitingFor(n: number): string {
  return `waiting for ${n} dependenc${n === 1 ? 'y' : 'ies'}`;
}

function excerpt(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function encodeCursor(id: string): string {
  return Buffer.from(JSON.stringify({ after: id })).toString('base64url');
}

function decodeCursor(cursor: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string') return parsed.after;
  } catch {
    // fall through
  }
  throw new InputError('bad_cursor', 'cursor: not a cursor returned by list_tasks');
}
