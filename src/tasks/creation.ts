/**
 * How a new task is made from a delegator's input (SPEC §4 `delegate_task`, §5): the rules on its parent and
 * dependencies, its deadline, its first status. One function over any reader of tasks, so that a task can be
 * planned from a plain read (a dispatch starts its run on the plan) and built again inside the creating
 * transaction, where the same rules decide.
 */
import { InputError, NotFoundError } from '../errors.js';
import { NOT_RUN, isTerminal } from '../model/task.js';
import type { Task } from '../model/task.js';
import { childBudget } from './budgets.js';
import type { DelegateInput } from './inputs.js';
import { chainOf } from './spending.js';

/** How a task is created, beyond what the delegator says. */
export interface CreateOptions {
  kind?: Task['kind'];
  session_id?: string | null;
  /** The id, chosen beforehand (MCP Tasks: the MCP task id is the Baton task id). */
  id: string;
  /** Claims the new task for this runner in the creating transaction (when it starts `in_progress`). */
  claimFor?: ClaimFor;
}

/** Who claims a new task as it is created, and, when its run starts at once, that run's first attempt. */
export interface ClaimFor {
  runner: string;
  leaseMs: number;
  /** Records attempt 1 as started, on this model (and affinity), in the same write: one write less per dispatch. */
  firstAttempt?: { model: string; affinity: string | null };
}

/** What a plan needs to be built again in the creating transaction. */
export interface TaskPlan {
  caller: string;
  input: DelegateInput;
  options: CreateOptions;
  /** The task as planned, with a claim as its creation will make it when `claimFor` is given. */
  task: Task;
}

export async function buildTask(
  getTask: (id: string) => Promise<Task | undefined>,
  caller: string,
  input: DelegateInput,
  options: CreateOptions & { defaultTimeoutSeconds: number; maxTokensPerRoot: number | null; now: Date },
): Promise<Task> {
  const now = options.now.toISOString();
  const timeout = input.timeout_seconds ?? options.defaultTimeoutSeconds;
  let deadline = new Date(options.now.getTime() + timeout * 1000).toISOString();
  let parent: Task | undefined;
  if (input.parent_task_id !== undefined) {
    parent = visible(await getTask(input.parent_task_id), caller, input.parent_task_id);
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
  // SPEC §5: a child's budget never exceeds what remains of its parent's (nor of theirs).
  const budgets = childBudget(input, parent ? await chainOf(getTask, parent) : [], options.maxTokensPerRoot);
  const { id } = options;
  if (await getTask(id)) throw new InputError('duplicate_id', `task ${id} already exists`);
  // Dependencies must exist already, so a new task can never close a cycle; each must be visible to the caller.
  const deps: Task[] = [];
  for (const d of new Set(input.depends_on ?? [])) deps.push(visible(await getTask(d), caller, d));
  const ended = deps.find((d) => isTerminal(d.status) && d.status !== 'completed');
  if (ended) {
    throw new InputError(
      'dependency_ended',
      `depends_on: task ${ended.id} already ended ${ended.status}; this task could never start`,
    );
  }
  const waiting = deps.filter((d) => d.status !== 'completed').length;
  const pending = waiting > 0;
  return {
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
    ...budgets,
    ...NOT_RUN,
  };
}

/** The task if the caller is a party to it; otherwise "not found", so that ids never leak. */
export function visible(task: Task | undefined, caller: string, id: string): Task {
  if (!task || (task.delegated_by !== caller && task.assignee_id !== caller)) throw new NotFoundError('task', id);
  return task;
}

export function waitingFor(n: number): string {
  return `waiting for ${n} dependenc${n === 1 ? 'y' : 'ies'}`;
}
