/**
 * Times tasks out at their deadline. Subscribes to task changes on the bus, keeps one timer per live task,
 * and at start expires every task whose deadline passed while no Baton was running (SPEC §5).
 */
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { isTerminal } from '../store/records.js';
import type { Task } from '../store/records.js';
import type { TaskService } from './task-service.js';

/** setTimeout's ceiling; longer waits are re-armed. */
const MAX_DELAY = 2 ** 31 - 1;

export class DeadlineTimer {
  private readonly timers = new Map<string, { deadline: string; timer: NodeJS.Timeout }>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly tasks: TaskService,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  /** Arms a timer for every live task (overdue ones fire at once) and follows changes. */
  start(): void {
    this.unsubscribe = this.bus.subscribe('task.updated', ({ task }) => this.track(task));
    for (const task of this.tasks.live()) this.track(task);
  }

  stop(): void {
    this.unsubscribe?.();
    for (const { timer } of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }

  private track(task: Task): void {
    const current = this.timers.get(task.id);
    if (isTerminal(task.status) || task.deadline === null) {
      if (current) clearTimeout(current.timer);
      this.timers.delete(task.id);
      return;
    }
    if (current?.deadline === task.deadline) return;
    if (current) clearTimeout(current.timer);
    const delay = Math.min(MAX_DELAY, Math.max(0, Date.parse(task.deadline) - Date.now()));
    const timer = setTimeout(() => this.fire(task.id), delay);
    timer.unref();
    this.timers.set(task.id, { deadline: task.deadline, timer });
  }

  private fire(taskId: string): void {
    this.timers.delete(taskId);
    this.tasks
      .expire(taskId)
      .then((expired) => {
        if (expired === null) {
          // Not due yet (a re-armed long wait) or already finished: look again at the current state.
          const fresh = this.tasks.peek(taskId);
          if (fresh) this.track(fresh);
        }
      })
      .catch((error: unknown) =>
        this.log.error('could not time out task', { task_id: taskId, error: errorMessage(error) }),
      );
  }
}
