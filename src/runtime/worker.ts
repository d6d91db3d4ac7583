/**
 * The worker of one Baton process (`serve` and `baton worker` alike): who runs which subagent task is a claim in
 * the store (SPEC §5), and this is where a process takes, keeps and gives back its claims.
 *
 * - A task this process creates for a defined agent is claimed in its creating transaction and `adopt`ed here.
 * - Others are claimed when they become runnable (a `task.changed` fact) or by a sweep every lease/2 (a lease that
 *   lapsed gives no fact), only while this process has room (`--max-concurrency`), so that one process does not
 *   hoard the queue, and only tasks whose model it can reach (a task that needs a client's sampling stays with
 *   the process holding that client).
 * - The claims of live runs are renewed together every lease/3; a claim reported lost, or a task that ended,
 *   aborts its run quietly (the fence refuses the writes of a run whose claim was taken meanwhile).
 * - `stop` aborts the runs and hands their claims back, the attempt in flight refunded, so that another process
 *   (a `baton worker`) picks them up at once and runs them as if they had never started.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentRegistry } from '../agents/registry.js';
import { CancelledError, LeaseLostError, errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { claimOf, isTerminal } from '../model/task.js';
import type { Claim, Task } from '../model/task.js';
import type { TaskStore } from '../store/task-store.js';
import type { TaskService } from '../tasks/task-service.js';
import type { Scheduler } from './scheduler.js';

/** One run of a task held by this process, as the code that runs it sees it. */
export interface RunHandle {
  /** The task when it was claimed (a created task: as planned). */
  readonly task: Task;
  readonly claim: Claim;
  readonly signal: AbortSignal;
  /**
   * Resolves once the task and its claim are written (durable, or for a plain dispatch made durable by the run's
   * next write); a run writes nothing before. Rejects if its creation failed.
   */
  readonly ready: Promise<void>;
  /** True for a task claimed from the store (its past attempts count), false for one created here. */
  readonly fromStore: boolean;
  /** Set while an attempt is under way: a stop hands the claim back with that attempt refunded. */
  inAttempt: boolean;
  /** Set while the run writes its task's end itself: the fact of that end is its own and does not abort it. */
  ending: boolean;
  /**
   * The store's seq before the task was assigned: inbox items after it came after the assignment (the task's
   * creation seq, or for a task still being created, the head when it was planned).
   */
  readonly assignedAfter: number;
  /**
   * Called when the run's answer (the task's completion) is written, with the promise of that write, which settles
   * once it is durable and told: a dispatch that answers early (`DispatchOptions.early`) answers then.
   */
  readonly onAnswered?: (told: Promise<unknown>) => void;
}

interface Run {
  handle: RunHandle;
  controller: AbortController;
  acknowledged: boolean;
  lost: boolean;
  done: Promise<void>;
}

export interface WorkerOptions {
  store: TaskStore;
  tasks: TaskService;
  bus: EventBus;
  agents: AgentRegistry;
  scheduler: Scheduler;
  maxConcurrency: number;
  leaseMs: number;
  log: Logger;
  /** Whether this process can run the agent on this task now (its model, or the client it samples through). */
  canRun(agent: AgentDefinition, task: Task): Promise<boolean>;
  /** Runs a held task to its end (run.ts). */
  execute(run: RunHandle): Promise<void>;
  /** After a run ended, however it did. */
  onRunEnded?(run: RunHandle): void;
  /** False: run only what this process creates, take nothing from the store (a one-shot `baton dispatch`). */
  takesQueued?: boolean;
}

export class Worker {
  /** This process on the store: host, pid and a random part, new at every start. */
  readonly runner = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private readonly runs = new Map<string, Run>();
  private readonly claiming = new Set<string>();
  private timers: NodeJS.Timeout[] = [];
  private unsubscribes: Array<() => void> = [];
  private stopping = false;

  constructor(private readonly options: WorkerOptions) {}

  /** Follows the store's facts, sweeps now and every lease/2, renews every lease/3. */
  start(): void {
    const { bus, agents, leaseMs } = this.options;
    const takes = this.options.takesQueued !== false;
    this.unsubscribes = [
      bus.subscribe('task.changed', ({ id, status }) => {
        const run = this.runs.get(id);
        if (run) {
          // Its claim lost is heard from the renewals (and every write of the run is fenced meanwhile).
          if (isTerminal(status) && !run.handle.ending) run.controller.abort(new CancelledError(`task ${status}`));
        } else if (status === 'in_progress' && takes) {
          void this.consider(id);
        }
      }),
      agents.onChange(() => void (takes && this.sweep())),
    ];
    const every = (ms: number, fn: () => Promise<void>) => {
      const timer = setInterval(() => void fn(), Math.max(20, ms));
      timer.unref();
      this.timers.push(timer);
    };
    every(leaseMs / 3, () => this.renew());
    if (!takes) return;
    every(leaseMs / 2, () => this.sweep());
    void this.sweep();
  }

  /** How a task created now for a defined agent is claimed for this process in its creating transaction. */
  claimFor(): { runner: string; leaseMs: number } | undefined {
    return this.stopping ? undefined : { runner: this.runner, leaseMs: this.options.leaseMs };
  }

  /** Whether a run adopted now would start at once (a free slot, nobody queued). */
  startsAtOnce(): boolean {
    const { scheduler, maxConcurrency } = this.options;
    return scheduler.active + scheduler.waiting + this.claiming.size < maxConcurrency;
  }

  /**
   * Runs a task this process claimed when creating it; `created` resolves once that creation is durable. A task
   * still being created has no creation seq yet: `plannedAt` is the store's head when it was planned.
   */
  adopt(
    task: Task,
    created: Promise<unknown> = Promise.resolve(),
    plannedAt = task.created_seq,
    onAnswered?: RunHandle['onAnswered'],
  ): void {
    const claim = claimOf(task);
    if (!claim || claim.runner !== this.runner || this.runs.has(task.id)) return;
    this.begin(
      task,
      claim,
      created.then(() => undefined),
      false,
      plannedAt,
      onAnswered,
    );
  }

  /** Whether this process runs the task now. */
  isRunning(taskId: string): boolean {
    return this.runs.has(taskId);
  }

  /** Aborts every run and hands its claim back (the attempt in flight refunded); then nothing more is claimed. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const timer of this.timers) clearInterval(timer);
    const stopped = [...this.runs.values()];
    for (const run of stopped) run.controller.abort(new CancelledError('Baton is shutting down'));
    await Promise.allSettled(stopped.map((r) => r.done));
    await Promise.all(
      stopped
        .filter((run) => run.acknowledged && !run.lost)
        .map(async ({ handle }) => {
          try {
            const task = await this.options.tasks.peek(handle.task.id);
            if (!task || isTerminal(task.status)) return;
            await this.options.store.release(handle.claim, { refundAttempt: handle.inAttempt });
            this.options.log.info('handed a task back', { task_id: task.id, agent: task.assignee_id });
          } catch (error) {
            this.options.log.warn('could not hand a task back', {
              task_id: handle.task.id,
              error: errorMessage(error),
            });
          }
        }),
    );
  }

  private begin(
    task: Task,
    claim: Claim,
    ready: Promise<void>,
    fromStore: boolean,
    assignedAfter: number,
    onAnswered?: RunHandle['onAnswered'],
  ): void {
    const controller = new AbortController();
    const handle: RunHandle = {
      task,
      claim,
      signal: controller.signal,
      ready,
      fromStore,
      inAttempt: false,
      ending: false,
      assignedAfter,
      ...(onAnswered ? { onAnswered } : {}),
    };
    const run: Run = { handle, controller, acknowledged: false, lost: false, done: Promise.resolve() };
    this.runs.set(task.id, run);
    ready.then(
      () => (run.acknowledged = true),
      (error: unknown) => controller.abort(error),
    );
    run.done = this.options
      .execute(handle)
      .catch((error: unknown) => {
        if (!controller.signal.aborted) {
          this.options.log.error('subagent run failed', { task_id: task.id, error: errorMessage(error) });
        }
      })
      .finally(() => {
        this.runs.delete(task.id);
        this.options.onRunEnded?.(handle);
      });
  }

  /** Free room: runs this process may still take on (queued and running ones count). */
  private room(): number {
    const { scheduler, maxConcurrency } = this.options;
    return maxConcurrency - scheduler.active - scheduler.waiting - this.claiming.size;
  }

  /** Claims a task that may be runnable, when this process has room and can run it. */
  private async consider(taskId: string): Promise<void> {
    if (this.stopping || this.claiming.has(taskId) || this.runs.has(taskId) || this.room() <= 0) return;
    this.claiming.add(taskId);
    try {
      const { store, tasks, agents, leaseMs, log } = this.options;
      const task = await tasks.peek(taskId);
      if (!task || task.status !== 'in_progress') return;
      // Held (by another runner, or by this process for a run it is about to adopt): not ours to take.
      if (task.claim && task.claim.expires_at > new Date().toISOString()) return;
      const agent = agents.get(task.assignee_id);
      if (!agent) return;
      // A task left by a dead runner that can only be failed (no attempt left, or its sampling client gone) is
      // taken by anyone; one to run, only by a process that can run it.
      const toFail = task.attempts > task.max_retries || (task.affinity !== null && task.affinity !== this.runner);
      if (!toFail && !(await this.options.canRun(agent, task))) return;
      const claim = await store.claim(taskId, this.runner, leaseMs);
      if (!claim || this.stopping) {
        if (claim) await store.release(claim);
        return;
      }
      const claimed = (await tasks.peek(taskId)) ?? task;
      log.info(task.claim ? 'took over a task whose runner stopped' : 'claimed a task', {
        task_id: taskId,
        agent: agent.id,
        ...(task.claim ? { from: task.claim.runner } : {}),
      });
      this.begin(claimed, claim, Promise.resolve(), true, claimed.created_seq);
    } catch (error) {
      if (!this.stopping)
        this.options.log.warn('could not claim a task', { task_id: taskId, error: errorMessage(error) });
    } finally {
      this.claiming.delete(taskId);
    }
  }

  /** Looks for runnable tasks of this process's agents that nobody holds (new, handed back, or left by the dead). */
  private async sweep(): Promise<void> {
    const room = this.room();
    if (this.stopping || room <= 0) return;
    const assignees = this.options.agents.list().map((a) => a.id);
    if (assignees.length === 0) return;
    try {
      const page = await this.options.store.findTasks({ claimable: true, assignees, order: 'runnable', limit: room });
      for (const task of page.tasks) if (!this.runs.has(task.id)) await this.consider(task.id);
    } catch (error) {
      if (!this.stopping) this.options.log.warn('could not look for runnable tasks', { error: errorMessage(error) });
    }
  }

  /** Extends the leases of every live run in one write; runs whose claim was lost stop. */
  private async renew(): Promise<void> {
    const held = [...this.runs.values()].filter((r) => r.acknowledged && !r.lost);
    if (this.stopping || held.length === 0) return;
    try {
      const lost = await this.options.store.renew(
        held.map((r) => r.handle.claim),
        this.options.leaseMs,
      );
      for (const claim of lost) {
        const run = this.runs.get(claim.task_id);
        if (run && run.handle.claim.epoch === claim.epoch) this.lose(run);
      }
    } catch (error) {
      if (!this.stopping) this.options.log.warn('could not renew leases', { error: errorMessage(error) });
    }
  }

  private lose(run: Run): void {
    if (run.lost) return;
    run.lost = true;
    this.options.log.warn('lost the claim of a running task; stopping its run', { task_id: run.handle.task.id });
    run.controller.abort(new LeaseLostError(run.handle.task.id));
  }
}
