/**
 * Times tasks out at their deadline (SPEC §5). Follows task changes on the bus, keeps one timer per live task,
 * and at start arms every live task, so that one whose deadline passed while no Baton was running times out at
 * once. With several processes on a store each arms the same timers; the expiry is a conditional transaction,
 * so exactly one of them ends the task.
 */
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { isTerminal } from '../model/task.js';
import type { Task } from '../model/task.js';
import type { TaskService } from './task-service.js';

/** setTimeout's ceiling; longer waits are re-armed. */
const MAX_DELAY = 2 ** 31 - 1;

export class DeadlineTimer {
  private readonly timers = new Map<string, { deadline: string; timer: NodeJS.Timeout }>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;

  constructor(
    private readonly tasks: TaskService,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** Follows changes, then arms a timer for every live task (overdue ones fire at once). */
  async start(): Promise<void> {
    this.unsubscribe = this.bus.subscribe('task.changed', ({ id, status }) => {
      if (isTerminal(status)) this.clear(id);
      // A deadline, once set, never moves: only a task without a timer yet is worth reading.
      else if (!this.timers.has(id)) void this.look(id);
    });
    for await (const task of this.tasks.all({ live: true, order: 'oldest' })) this.track(task);
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private async look(taskId: string): Promise<void> {
    try {
      const task = await this.tasks.peek(taskId);
      if (task) this.track(task);
    } catch (error) {
      if (!this.stopped)
        this.log.warn('could not read a task for its deadline', { task_id: taskId, error: errorMessage(error) });
    }
  }

  private track(task: Task): void {
    if (this.stopped) return;
    const current = this.timers.get(task.id);
    if (isTerminal(task.status) || task.deadline === null) {
      this.clear(task.id);
      return;
    }
    if (current?.deadline === task.deadline) return;
    if (current) clearTimeout(current.timer);
    const delay = Math.min(MAX_DELAY, Math.max(0, Date.parse(task.deadline) - Date.now()));
    const timer = setTimeout(() => this.fire(task.id), delay);
    timer.unref();
    this.timers.set(task.id, { deadline: task.deadline, timer });
  }

  private clear(taskId: string): void {
    const current = this.timers.get(taskId);
    if (current) clearTimeout(current.timer);
    this.timers.delete(taskId);
  }

  private fire(taskId: string): void {
    this.timers.delete(taskId);
    this.tasks
      .expire(taskId)
      // Not due yet (a re-armed long wait) or already finished: look again at the current state.
      .then((expired) => (expired === null ? this.look(taskId) : undefined))
      .catch((error: unknown) => {
        if (!this.stopped) this.log.error('could not time out task', { task_id: taskId, error: errorMessage(error) });
      });
  }
}
