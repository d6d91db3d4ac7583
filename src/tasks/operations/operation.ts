/**
 * One operation, two surfaces (STYLE.md): each operation that both MCP clients and subagents can call is defined
 * once here, with its name, descriptions, input and output schemas, annotations and handler. `mcp/tools/` adapts it
 * to `registerTool`; `runtime/agent-tools.ts` adapts it for a model. Both answer the same shape.
 */
import type { z } from 'zod';
import type { Claim, Task } from '../../model/task.js';
import type { DispatchInput } from '../dispatch-input.js';
import type { DelegateInput, MergeInput } from '../inputs.js';
import type { RunWrite, TaskService } from '../task-service.js';
import type { MergeOutput } from '../views.js';

/** MCP's tool annotations, said truthfully for each operation (SPEC §4). */
export interface Annotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

/** What an operation acts through: the caller's identity and Baton's parts. */
export interface OperationContext {
  /** The agent the call acts for: an MCP session's `--as` or token agent, or the subagent itself. */
  caller: string;
  tasks: TaskService;
  /** Creates a task (a defined agent's runs in the background, claimed by this process when it can). */
  delegate(input: DelegateInput): Promise<Task>;
  /** Runs a defined agent on a task and waits for it to end. */
  dispatch(input: DispatchInput, options: CallOptions): Promise<{ task: Task; session_id: string }>;
  merge(input: MergeInput, options: CallOptions): Promise<MergeOutput>;
  /** A subagent's claim on its own task: its writes about that task are fenced with it. */
  fence?: Claim;
}

export interface CallOptions {
  signal?: AbortSignal;
  /** Progress the caller may be shown (MCP `notifications/progress`). */
  progress?: (message: string) => void;
}

export interface Operation<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  /** For MCP clients. */
  description: string;
  /** For subagents, when it says it better for them (their own task is implied, say). */
  agentDescription?: string;
  input: I;
  output: O;
  annotations: Annotations;
  /** For subagents the task id is their own task's: they do not give it. */
  ownTask?: boolean;
  /** Whether the call waits for other runs (a subagent gives its concurrency slot back meanwhile). */
  waits?: (input: z.infer<I>) => boolean;
  run(ctx: OperationContext, input: z.infer<I>, options: CallOptions): Promise<z.infer<O>>;
}

/** Defines an operation, keeping its input and output types. */
export function operation<I extends z.ZodObject, O extends z.ZodObject>(op: Operation<I, O>): Operation<I, O> {
  return op;
}

/** How a write about `taskId` is made: fenced with the caller's claim when it is the caller's own running task. */
export function writeFor(ctx: OperationContext, taskId: string): RunWrite {
  return ctx.fence?.task_id === taskId ? { fence: ctx.fence } : {};
}
