/**
 * Whether a run may create a child task (SPEC §8): not past `--max-depth`, not over `--max-per-session` live
 * subagent tasks under one root, and not a loop back to an ancestor's agent with the same task.
 */
import type { AgentRegistry } from '../agents/registry.js';
import { InputError } from '../errors.js';
import type { Task } from '../model/task.js';
import type { TaskService } from '../tasks/task-service.js';

export interface SpawnLimits {
  maxDepth: number;
  maxPerSession: number;
}

export class SpawnPolicy {
  constructor(
    private readonly tasks: TaskService,
    private readonly store: { countTasks(query: { root: string; live: true; assignees: string[] }): Promise<number> },
    private readonly agents: AgentRegistry,
    private readonly limits: SpawnLimits,
  ) {}

  /** Refuses, with an `InputError` saying why, a child of `parent` for `agentId` doing `description`. */
  async check(parent: Task | undefined, agentId: string, description: string): Promise<void> {
    if (!parent) return;
    const { maxDepth, maxPerSession } = this.limits;
    if (parent.depth + 1 > maxDepth) {
      throw new InputError(
        'depth_limit',
        `depth limit: subagents nest at most ${maxDepth} deep (--max-depth) and this one is at depth ${parent.depth}; do the work yourself`,
      );
    }
    const live = await this.store.countTasks({
      root: parent.root_task_id,
      live: true,
      assignees: this.agents.list().map((a) => a.id),
    });
    if (live + 1 > maxPerSession) {
      throw new InputError(
        'quota',
        `quota: at most ${maxPerSession} live subagent tasks under one root session (--max-per-session); wait for some to finish`,
      );
    }
    for (
      let at: Task | undefined = parent;
      at;
      at = at.parent_task_id ? await this.tasks.peek(at.parent_task_id) : undefined
    ) {
      if (at.assignee_id === agentId && at.description.trim() === description.trim()) {
        throw new InputError(
          'loop',
          `loop: ${agentId} is already working on this same task higher up (task ${at.id}); refusing to dispatch it again`,
        );
      }
    }
  }
}
