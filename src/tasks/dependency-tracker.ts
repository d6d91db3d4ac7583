/**
 * Moves pending tasks on when their dependencies end (SPEC §4 `depends_on`): a bus subscriber, like the deadline
 * timer. At start it settles every pending task, for dependencies that ended while no Baton was running.
 */
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { isTerminal } from '../store/records.js';
import type { TaskService } from './task-service.js';

export class DependencyTracker {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly tasks: TaskService,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.bus.subscribe('task.updated', ({ task }) => {
      if (!isTerminal(task.status)) return;
      const waiting = this.tasks.dependentsOf(task.id).map((t) => t.id);
      if (waiting.length > 0) this.settle(waiting);
    });
    this.settle([...this.tasks.live()].filter((t) => t.status === 'pending').map((t) => t.id));
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private settle(ids: string[]): void {
    this.tasks
      .settlePending(ids)
      .catch((error: unknown) => this.log.error('could not settle dependent tasks', { error: errorMessage(error) }));
  }
}
