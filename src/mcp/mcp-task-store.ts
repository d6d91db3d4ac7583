/**
 * MCP Tasks (spec 2025-11-25) backed by Baton's own store: `tasks/get`, `tasks/result`, `tasks/list` and
 * `tasks/cancel` answer from Baton's tasks, and the MCP task id is the Baton task id. One per connection, acting
 * for its caller: only tasks the caller is a party to are visible.
 */
import type {
  TaskStore as SdkTaskStore,
  CreateTaskOptions,
} from '@modelcontextprotocol/sdk/experimental/tasks/interfaces.js';
import type { CallToolResult, Request, RequestId, Result, Task as McpTask } from '@modelcontextprotocol/sdk/types.js';
import { McpError, ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../errors.js';
import { newId } from '../model/ids.js';
import type { Task, TaskStatus } from '../model/task.js';
import type { TaskService } from '../tasks/task-service.js';

/** How often a client should poll `tasks/get` while a subagent runs. */
export const POLL_INTERVAL_MS = 250;

export class BatonMcpTaskStore implements SdkTaskStore {
  /** Ids handed out by `createTask` and not yet used, with whether the client asked for a task. */
  private readonly reserved = new Map<string, { augmented: boolean; at: number }>();
  /** Results of plain calls that just ended, for the SDK's `tasks/result` that follows at once (taken once). */
  private readonly results = new Map<string, CallToolResult>();

  constructor(
    private readonly caller: string,
    private readonly tasks: TaskService,
    /** The `subagent_dispatch` result of a finished task. */
    private readonly resultOf: (task: Task) => CallToolResult,
  ) {}

  /**
   * Reserves the id the tool handler then creates its Baton task under. The SDK routes both plain and
   * task-augmented `tools/call` here; only the raw request says which (`params.task`), so it is recorded for
   * `takeReservation`.
   */
  async createTask(
    _params: CreateTaskOptions,
    _requestId: RequestId,
    request: { method: string; params?: Request['params'] },
  ): Promise<McpTask> {
    const id = newId();
    const now = Date.now();
    for (const [old, r] of this.reserved) if (now - r.at > 60_000) this.reserved.delete(old);
    this.reserved.set(id, { augmented: request.params?.task !== undefined, at: now });
    const stamp = new Date(now).toISOString();
    return {
      taskId: id,
      status: 'working',
      ttl: null,
      pollInterval: POLL_INTERVAL_MS,
      createdAt: stamp,
      lastUpdatedAt: stamp,
    };
  }

  /** Whether the client sent `params.task` for the call that reserved `id`; forgets the reservation. */
  takeReservation(id: string): { augmented: boolean } {
    const reservation = this.reserved.get(id);
    this.reserved.delete(id);
    if (!reservation) throw new Error(`no reservation for task ${id}`);
    return { augmented: reservation.augmented };
  }

  async getTask(taskId: string): Promise<McpTask | null> {
    const task = await this.visible(taskId);
    return task ? toMcpTask(task) : null;
  }

  /** The result of a plain call that ended here: the SDK asks for it right away. */
  keepResult(taskId: string, result: CallToolResult): void {
    this.results.set(taskId, result);
  }

  async getTaskResult(taskId: string): Promise<Result> {
    const kept = this.results.get(taskId);
    if (kept) {
      this.results.delete(taskId);
      return kept;
    }
    const task = await this.visible(taskId);
    if (!task) throw new McpError(ErrorCode.InvalidParams, `task not found: ${taskId}`);
    return this.resultOf(task);
  }

  /** Results live in Baton's store; the runtime writes them. */
  async storeTaskResult(): Promise<void> {}

  /** `tasks/cancel` arrives here: cancel the Baton task (and its subtree), which stops the run. */
  async updateTaskStatus(taskId: string, status: McpTask['status'], statusMessage?: string): Promise<void> {
    if (status !== 'cancelled') return;
    try {
      await this.tasks.cancel(this.caller, { task_id: taskId, reason: statusMessage ?? 'cancelled by the client' });
    } catch (error) {
      if (error instanceof InputError) throw new McpError(ErrorCode.InvalidParams, error.message);
      throw error;
    }
  }

  async listTasks(cursor?: string): Promise<{ tasks: McpTask[]; nextCursor?: string }> {
    const page = await this.tasks.list(this.caller, {
      role: 'delegated_by_me',
      limit: 100,
      ...(cursor ? { cursor } : {}),
    });
    const tasks = page.tasks.filter((t) => t.kind === 'dispatch').map(toMcpTask);
    return { tasks, ...(page.next_cursor ? { nextCursor: page.next_cursor } : {}) };
  }

  private async visible(taskId: string): Promise<Task | null> {
    try {
      return (await this.tasks.get(this.caller, { task_id: taskId })).task;
    } catch (error) {
      if (error instanceof InputError) return null;
      throw error;
    }
  }
}

/**
 * Baton's lifecycle in MCP Tasks terms, one row per status: a status added without a row here does not compile
 * (an unknown one falling through to `working` would leave a plain dispatch polling forever).
 */
const MCP_STATUS: Record<TaskStatus, McpTask['status']> = {
  pending: 'working',
  in_progress: 'working',
  completed: 'completed',
  failed: 'failed',
  timed_out: 'failed',
  cancelled: 'cancelled',
};

export function toMcpTask(task: Pick<Task, 'id' | 'status' | 'status_message' | 'created_at' | 'updated_at'>): McpTask {
  return {
    taskId: task.id,
    status: MCP_STATUS[task.status],
    ...(task.status_message ? { statusMessage: task.status_message } : {}),
    ttl: null,
    pollInterval: POLL_INTERVAL_MS,
    createdAt: task.created_at,
    lastUpdatedAt: task.updated_at,
  };
}
