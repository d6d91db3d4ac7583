/**
 * The task service: the task lifecycle (SPEC §5), the access rules, notifications into inboxes (SPEC §6), and the
 * facts on the bus (from the store's change feed: every change of every process). Every change goes through one
 * store transaction and is on disk before the method returns. Reads and waiting are in `task-reads.ts`.
 */
import { InputError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { InboxItem } from '../model/inbox.js';
import { newId } from '../model/ids.js';
import { NOT_RUN, isTerminal } from '../model/task.js';
import type { Claim, Task } from '../model/task.js';
import type { Change, TaskStore, Transaction } from '../store/task-store.js';
import { buildTask, visible, waitingFor } from './creation.js';
import type { ClaimFor, CreateOptions, TaskPlan } from './creation.js';
import type {
  CancelInput,
  CompleteInput,
  DelegateInput,
  FailInput,
  ProgressInput,
  SendMessageInput,
} from './inputs.js';
import { checkJsonValue } from './json-value.js';
import { notify } from './notify.js';
import { Spending, recordSpend } from './spending.js';
import type { RunSpend } from './spending.js';
import { TaskReads } from './task-reads.js';
import { finished, started } from './transitions.js';
import type { RunPatch } from './transitions.js';
import { excerpt } from './views.js';

export type { ClaimFor, CreateOptions, RunSpend, TaskPlan };

export interface TaskServiceOptions {
  store: TaskStore;
  bus: EventBus;
  /** Default task timeout in seconds (`--default-timeout`). */
  defaultTimeoutSeconds: number;
  /** `--max-tokens-per-root`: the token budget of every root task's tree; null or absent = none. */
  maxTokensPerRoot?: number | null;
  now?: () => Date;
  log?: Logger;
}

/** How a write about a task is made by the run that holds its claim. */
export interface RunWrite {
  /** The run's claim: the write is refused (`LeaseLostError`) once another runner took the task. */
  fence?: Claim;
  /** More to write in the same transaction (the run's conversation, saved with its answer). */
  also?: (tx: Transaction) => Promise<void>;
  /** What the run's last model calls spent, recorded in the same transaction (`spending.ts`). */
  spend?: RunSpend | null;
  /** Called once the write is applied, while it is made durable (`TransactOptions.onWritten`). */
  onWritten?: () => void;
}

export interface CancelOutcome {
  task: Task;
  changed: boolean;
  cancelled_task_ids: string[];
  message: string;
}

export type { RunPatch };

export class TaskService extends TaskReads {
  private readonly defaultTimeoutSeconds: number;
  private readonly maxTokensPerRoot: number | null;
  private readonly now: () => Date;
  private readonly log: Logger;
  private unsubscribe: (() => void) | null = null;
  /** What runs spend, and the budgets over them (`spending.ts`). */
  readonly spending: Spending;

  constructor(options: TaskServiceOptions) {
    super(options.store, options.bus);
    this.defaultTimeoutSeconds = options.defaultTimeoutSeconds;
    this.maxTokensPerRoot = options.maxTokensPerRoot ?? null;
    this.spending = new Spending(this.store, () => this.stamp());
    this.now = options.now ?? (() => new Date());
    this.log = options.log ?? silentLogger;
  }

  /** Publishes every change from now on, from any process, as facts on the bus. */
  async start(): Promise<void> {
    const since = await this.store.headSeq();
    this.unsubscribe = this.store.subscribe(since, (change) => this.publish(change));
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Creates a task assigned to `input.assignee_id`, delegated by `caller`, in one transaction. */
  async delegate(caller: string, input: DelegateInput, options: Partial<CreateOptions> = {}): Promise<Task> {
    if (input.payload !== undefined) checkJsonValue(input.payload, 'payload');
    const full: CreateOptions = { ...options, id: options.id ?? newId() };
    return this.store.transact(async (tx) =>
      this.insert(tx, caller, await buildTask((id) => tx.getTask(id), caller, input, this.creation(full)), full),
    );
  }

  /**
   * Checks a delegation against the store and builds its task, changing nothing: the caller may start work on
   * the plan while `create` makes it durable (a dispatch does), as long as it writes nothing before that.
   */
  async plan(caller: string, input: DelegateInput, options: Partial<CreateOptions> = {}): Promise<TaskPlan> {
    if (input.payload !== undefined) checkJsonValue(input.payload, 'payload');
    const full: CreateOptions = { ...options, id: options.id ?? newId() };
    const task = await buildTask((id) => this.store.getTask(id), caller, input, this.creation(full));
    const { claimFor } = full;
    if (claimFor && task.status === 'in_progress') {
      const expires_at = new Date(this.now().getTime() + claimFor.leaseMs).toISOString();
      // A new task's first claim is epoch 1: what the creating transaction will record.
      Object.assign(task, { claim: { runner: claimFor.runner, epoch: 1, expires_at }, lease_epoch: 1 });
      if (claimFor.firstAttempt) Object.assign(task, started(claimFor.firstAttempt));
    }
    return { caller, input, options: full, task };
  }

  /**
   * Creates a planned task, applying the rules again in the transaction (the store may have moved meanwhile).
   * `durable: false`: resolves once written, durable with the next durable write (`TransactOptions.durable`).
   */
  async create(plan: TaskPlan, write: { durable?: boolean } = {}): Promise<Task> {
    const { caller, input, options } = plan;
    return this.store.transact(async (tx) => {
      // Without a parent or dependencies the only rule that can change meanwhile is that the id is free.
      const alone = input.parent_task_id === undefined && (input.depends_on ?? []).length === 0;
      if (alone && (await tx.getTask(plan.task.id))) {
        throw new InputError('duplicate_id', `task ${plan.task.id} already exists`);
      }
      const task = alone
        ? { ...plan.task, ...NOT_RUN }
        : await buildTask((id) => tx.getTask(id), caller, input, this.creation(options));
      return this.insert(tx, caller, task, options);
    }, write);
  }

  /** Puts a new task, tells its assignee, and claims it (its first attempt started) when asked to. */
  private async insert(tx: Transaction, caller: string, task: Task, options: CreateOptions): Promise<Task> {
    tx.putTask(task);
    notify(tx, task.assignee_id, 'task.notification.assigned', task, caller, task.description);
    const { claimFor } = options;
    if (claimFor && task.status === 'in_progress') {
      const claim = await tx.claim(task.id, claimFor.runner, claimFor.leaseMs);
      // Written again in this transaction: still one record of the task.
      if (claim && claimFor.firstAttempt)
        tx.putTask({ ...((await tx.getTask(task.id)) as Task), ...started(claimFor.firstAttempt) });
    }
    return (await tx.getTask(task.id)) as Task;
  }

  async reportProgress(caller: string, input: ProgressInput, write: RunWrite = {}): Promise<Task> {
    if (input.data !== undefined) checkJsonValue(input.data, 'data');
    return this.write(write, input.task_id, async (tx) => {
      const task = await this.writable(tx, caller, input.task_id);
      const now = this.stamp();
      const entry = { at: now, message: input.message, ...(input.data !== undefined ? { data: input.data } : {}) };
      const next: Task = {
        ...task,
        status_message: input.message,
        updated_at: now,
        progress: [...task.progress, entry],
      };
      tx.putTask(next);
      notify(tx, task.delegated_by, 'task.notification.progress', next, caller, input.message, input.data);
      return next;
    });
  }

  /** Completes with `input.result`, whoever produced it (a tool call, a subagent's final answer): within limits. */
  async complete(caller: string, input: CompleteInput, write: RunWrite = {}): Promise<Task> {
    checkJsonValue(input.result, 'result');
    return this.write(write, input.task_id, async (tx) => {
      const task = await this.writable(tx, caller, input.task_id);
      const next = finished(this.stamp(), task, 'completed', { result: input.result, status_message: 'completed' });
      tx.putTask(next);
      notify(tx, task.delegated_by, 'task.notification.completed', next, caller, null);
      return next;
    });
  }

  async fail(caller: string, input: FailInput, write: RunWrite = {}): Promise<Task> {
    return this.write(write, input.task_id, async (tx) => {
      const task = await this.writable(tx, caller, input.task_id);
      const next = finished(this.stamp(), task, 'failed', { error: input.error, status_message: input.error });
      tx.putTask(next);
      notify(tx, task.delegated_by, 'task.notification.failed', next, caller, input.error);
      return next;
    });
  }

  /**
   * Records how a live task is being worked (attempts, status message, model, affinity): the run holding its claim
   * only. Returns null, changing nothing, when the task already ended.
   */
  async updateRun(claim: Claim, patch: RunPatch): Promise<Task | null> {
    return this.store.transact(
      async (tx) => {
        const task = await tx.getTask(claim.task_id);
        if (!task || isTerminal(task.status)) return null;
        const next: Task = { ...task, ...patch, updated_at: this.stamp() };
        tx.putTask(next);
        return next;
      },
      { fence: claim },
    );
  }

  /** Cancels a task and every descendant (the seed's terminate). A terminal task is left as it is. */
  async cancel(caller: string, input: CancelInput): Promise<CancelOutcome> {
    return this.store.transact(async (tx) => {
      const task = visible(await tx.getTask(input.task_id), caller, input.task_id);
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
        if (!isTerminal(current.status)) {
          const next = finished(this.stamp(), current, 'cancelled', {
            error: current.id === task.id ? reason : `parent task ${current.parent_task_id} was cancelled: ${reason}`,
            status_message: 'cancelled',
          });
          tx.putTask(next);
          notify(tx, next.assignee_id, 'task.notification.cancelled', next, caller, next.error);
          cancelled.push(next.id);
          if (next.id === task.id) root = next;
        }
        stack.push(...(await tx.children(current.id)));
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

  /** Times out a task whose deadline has passed (both parties are told). Null when nothing changed. */
  async expire(taskId: string): Promise<Task | null> {
    return this.store.transact(async (tx) => {
      const task = await tx.getTask(taskId);
      if (!task || isTerminal(task.status) || task.deadline === null) return null;
      // Store time decides (the database's clock on a shared store), so a fast clock here cannot end it early.
      if (task.deadline > tx.storeTime().toISOString()) return null;
      const message = `timed out after ${task.timeout_seconds} s`;
      const next = finished(this.stamp(), task, 'timed_out', { error: message, status_message: message });
      tx.putTask(next);
      notify(tx, task.delegated_by, 'task.notification.timeout', next, null, message);
      notify(tx, task.assignee_id, 'task.notification.timeout', next, null, message);
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
    return this.store.transact(async (tx) => {
      const changed: Task[] = [];
      for (const id of ids) {
        const task = await tx.getTask(id);
        if (!task || task.status !== 'pending') continue;
        const next = await this.settled(tx, task);
        if (next) {
          tx.putTask(next);
          if (next.status === 'failed')
            notify(tx, task.delegated_by, 'task.notification.failed', next, null, next.error);
          changed.push(next);
        }
      }
      return changed;
    });
  }

  async sendMessage(caller: string, input: SendMessageInput): Promise<InboxItem> {
    return this.store.transact(async (tx) => {
      if (input.task_id !== undefined) visible(await tx.getTask(input.task_id), caller, input.task_id);
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

  // ---- rules ---------------------------------------------------------------------------------------------

  /** A pending task as its dependencies now say it should be, or null when it stays as it is. */
  private async settled(tx: Transaction, task: Task): Promise<Task | null> {
    const deps = await Promise.all(task.depends_on.map((d) => tx.getTask(d)));
    const ended = deps.find((d) => d !== undefined && isTerminal(d.status) && d.status !== 'completed');
    if (ended !== undefined || deps.includes(undefined)) {
      const message = ended
        ? `dependency ${ended.id} (${excerpt(ended.description, 80)}) ended ${ended.status}`
        : 'a dependency no longer exists';
      return finished(this.stamp(), task, 'failed', { error: message, status_message: message });
    }
    const waiting = deps.filter((d) => d?.status !== 'completed').length;
    if (waiting > 0) {
      return task.status_message === waitingFor(waiting)
        ? null
        : { ...task, status_message: waitingFor(waiting), updated_at: this.stamp() };
    }
    const now = this.now();
    let deadline = new Date(now.getTime() + task.timeout_seconds * 1000).toISOString();
    const parent = task.parent_task_id ? await tx.getTask(task.parent_task_id) : undefined;
    if (parent?.deadline && parent.deadline < deadline) deadline = parent.deadline;
    const at = now.toISOString();
    return { ...task, status: 'in_progress', status_message: null, started_at: at, updated_at: at, deadline };
  }

  /** The task if the caller is its assignee and it is not terminal. */
  private async writable(tx: Transaction, caller: string, id: string): Promise<Task> {
    const task = visible(await tx.getTask(id), caller, id);
    if (task.assignee_id !== caller) {
      throw new InputError(
        'not_assignee',
        `task ${id} is assigned to ${task.assignee_id}; only its assignee can report progress, complete or fail it`,
      );
    }
    if (isTerminal(task.status))
      throw new InputError('terminal', `task ${id} is already ${task.status}; nothing changed`);
    return task;
  }

  private write<T>(write: RunWrite, taskId: string, fn: (tx: Transaction) => Promise<T>): Promise<T> {
    return this.store.transact(
      async (tx) => {
        const value = await fn(tx);
        await write.also?.(tx);
        if (write.spend) await recordSpend(tx, taskId, write.spend, this.stamp());
        return value;
      },
      write, // its fence and onWritten
    );
  }

  /** The store's `whenDurable`: null once every change this process applied is on disk. */
  readonly whenDurable = (): Promise<void> | null => this.store.whenDurable?.() ?? null;

  private publish(change: Change): void {
    switch (change.kind) {
      case 'task':
        this.bus.publish({ type: 'task.changed', id: change.task.id, status: change.task.status, seq: change.seq });
        return;
      case 'inbox':
        this.bus.publish({ type: 'inbox.added', item: change.item });
        return;
      case 'session':
        return; // nobody on the bus follows conversations
      default: {
        const never: never = change;
        this.log.error('unknown store change', { change: errorMessage(never) });
      }
    }
  }

  private creation(options: CreateOptions) {
    return {
      ...options,
      defaultTimeoutSeconds: this.defaultTimeoutSeconds,
      maxTokensPerRoot: this.maxTokensPerRoot,
      now: this.now(),
    };
  }

  private stamp(): string {
    return this.now().toISOString();
  }
}
