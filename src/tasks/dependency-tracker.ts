/**
 * Moves pending tasks on when their dependencies end (SPEC §4 `depends_on`): a bus subscriber, like the deadline
 * timer. At start it settles every pending task, for dependencies that ended while no Baton was running.
 */
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { isTerminal } from '../model/task.js';
import type { TaskService } from './task-service.js';

export class DependencyTracker {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly tasks: TaskService,
    private readonly bus: EventBus,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    this.unsubscribe = this.bus.subscribe('task.changed', ({ id, status }) => {
      if (isTerminal(status)) void this.settleDependantsOf(id);
    });
    const pending: string[] = [];
    for await (const task of this.tasks.all({ status: ['pending'], order: 'oldest' })) pending.push(task.id);
    await this.settle(pending);
  }

  stop(): void {
    this.unsubscribe?.();
  }

  private async settleDependantsOf(taskId: string): Promise<void> {
    const waiting: string[] = [];
    try {
      for await (const t of this.tasks.all({ dependsOn: taskId, status: ['pending'] })) waiting.push(t.id);
    } catch (error) {
      this.log.error('could not read dependent tasks', { error: errorMessage(error) });
    }
    await this.settle(waiting);
  }

  private async settle(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.tasks
      .settlePending(ids)
      .catch((error: unknown) => this.log.error('could not settle dependent tasks', { error: errorMessage(error) }));
  }
}
