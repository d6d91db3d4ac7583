/**
 * The Tasks extension `io.modelcontextprotocol/tasks` of MCP 2026-07-28, on Baton's TaskService: a
 * `subagent_dispatch` from a client that declared the extension is answered at once with the task (once it is
 * durable, so that any Baton process on the store can answer `tasks/get` for it), and `tasks/get`, `tasks/update`,
 * `tasks/cancel` read and end Baton tasks. The MCP task id is the Baton task id, as under 2025-11-25.
 *
 * The status vocabulary differs from 2025-11-25's: `failed` is for JSON-RPC faults only, so a subagent that failed
 * or timed out is a `completed` task whose result is an `isError` tool result.
 */
import { InputError } from '../../errors.js';
import { newId } from '../../model/ids.js';
import type { Task, TaskStatus } from '../../model/task.js';
import { DispatchInputSchema } from '../../tasks/dispatch-input.js';
import { POLL_INTERVAL_MS } from '../mcp-task-store.js';
import type { ServerDeps } from '../server.js';
import { errorResult } from '../tool-result.js';
import { dispatchResult, name as DISPATCH } from '../tools/subagent-dispatch.js';
import { ERROR, RpcError } from './protocol.js';
import type { JsonObject } from './protocol.js';

type WireStatus = 'working' | 'completed' | 'cancelled';

/** One row per Baton status: a status added without a row here does not compile. */
const WIRE_STATUS: Record<TaskStatus, WireStatus> = {
  pending: 'working',
  in_progress: 'working',
  completed: 'completed',
  failed: 'completed',
  timed_out: 'completed',
  cancelled: 'cancelled',
};

/** A Baton task as the extension's `DetailedTask`: a finished one carries the tool result it would have given. */
export function toDetailedTask(task: Task): JsonObject {
  const status = WIRE_STATUS[task.status];
  return {
    taskId: task.id,
    status,
    ...(task.status_message ? { statusMessage: task.status_message } : {}),
    createdAt: task.created_at,
    lastUpdatedAt: task.updated_at,
    ttlMs: null,
    pollIntervalMs: POLL_INTERVAL_MS,
    ...(status === 'completed' ? { result: { resultType: 'complete', ...dispatchResult(task, task.session_id) } } : {}),
  };
}

export class ModernTasks {
  constructor(private readonly deps: ServerDeps) {}

  /** Whether a `tools/call` of `name` is run as a task for a client that declared the extension. */
  runsAsTask(name: unknown): boolean {
    return name === DISPATCH && (this.deps.tools === null || this.deps.tools.has(DISPATCH));
  }

  /**
   * Starts a dispatch in the background and answers with its task once durable; null when the arguments are not
   * a dispatch's (the server underneath then answers the call as it would any other, naming the mistake).
   */
  async start(caller: string, args: unknown): Promise<JsonObject | null> {
    const parsed = DispatchInputSchema.safeParse(args ?? {});
    if (!parsed.success) return null;
    let created!: (task: Task) => void;
    const durable = new Promise<Task>((resolve) => (created = resolve));
    // No request signal: the task outlives the call that made it; tasks/cancel (either revision) or cancel_task
    // stops it.
    const run = this.deps.runtime.dispatch(caller, parsed.data, { taskId: newId(), onCreated: created });
    run.catch((error: unknown) => {
      if (!(error instanceof InputError)) this.deps.log.warn('background dispatch failed', { error: String(error) });
    });
    try {
      const task = await Promise.race([durable, run.then((outcome) => outcome.task)]);
      return { resultType: 'task', ...withoutResult(toDetailedTask(task)) };
    } catch (error) {
      if (error instanceof InputError) return errorResult(error.message) as unknown as JsonObject;
      throw error;
    }
  }

  async get(caller: string, taskId: string): Promise<JsonObject> {
    return toDetailedTask(await this.visible(caller, taskId));
  }

  /** Baton tasks ask nothing of their client (no `input_required`): an update is acknowledged once the task is seen. */
  async update(caller: string, taskId: string): Promise<JsonObject> {
    await this.visible(caller, taskId);
    return {};
  }

  /** Cancels the task and its subtree (the run stops wherever it runs); a task that already ended is acknowledged. */
  async cancel(caller: string, taskId: string): Promise<JsonObject> {
    try {
      await this.deps.tasks.cancel(caller, { task_id: taskId, reason: 'cancelled by the client' });
      return {};
    } catch (error) {
      if (error instanceof InputError) throw new RpcError(ERROR.invalidParams, error.message);
      throw error;
    }
  }

  private async visible(caller: string, taskId: string): Promise<Task> {
    try {
      return (await this.deps.tasks.get(caller, { task_id: taskId })).task;
    } catch (error) {
      if (error instanceof InputError) throw new RpcError(ERROR.invalidParams, `task not found: ${taskId}`);
      throw error;
    }
  }
}

/** A task handle as `tools/call` answers it: a task that ended at once is still only a handle. */
function withoutResult(task: JsonObject): JsonObject {
  const { result: _result, ...handle } = task;
  return handle;
}
