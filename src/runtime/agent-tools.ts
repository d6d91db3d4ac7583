/**
 * The tools of one run, in one list (SPEC §8): Baton's own by tool scope (isolated: none; restricted, the default:
 * its own task's progress / complete / fail, send_message, read_inbox and its notes; shared: also subagent_dispatch,
 * delegate_task, wait_for_tasks, merge, list_tasks, get_task, cancel_task), the workspace tools and the MCP servers'
 * tools, as the agent's tool plan (`tool-plan.ts`) says. Baton's tools run with the subagent's own identity and the
 * same access rules as any other caller.
 */
import { z } from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Task } from '../model/task.js';
import { OPERATIONS } from '../tasks/operations/index.js';
import type { Operation, OperationContext } from '../tasks/operations/operation.js';
import { tool } from '../tools/agent-tool.js';
import type { AgentTool } from '../tools/agent-tool.js';
import type { McpConnection } from '../tools/mcp-client/connection.js';
import { mcpAgentTools, type McpServerRef } from '../tools/mcp-client/pool.js';
import type { Workspace, WorkspaceToolOptions } from '../tools/workspace/index.js';
import type { AgentToolCatalog } from './tool-catalog.js';

/** What a subagent's tools act through. */
export interface AgentToolContext {
  agent: AgentDefinition;
  /** The task this run works on. */
  task: Task;
  /** The operations as this run calls them: as the agent, fenced on its own task, children under it. */
  operations: OperationContext;
  /** Resolves once the run's task is written (its turn's spend, written before any tool runs, makes it durable). */
  ready: Promise<void>;
  /** The notes of this run's session. */
  notes: { read(): Promise<Record<string, string>>; remember(key: string, value: string): Promise<void> };
  /** Runs `fn`, in which this run waits for other runs, without holding a concurrency slot (no deadlock). */
  waiting<T>(fn: () => Promise<T>): Promise<T>;
  /** What the operator lets agents have, and the plan of each. */
  catalog: AgentToolCatalog;
  /** The MCP server connections, shared by every run. */
  mcp: { connection(ref: McpServerRef): McpConnection };
  /** The workspace roots of this run (resolved on first need). */
  workspace(): Promise<Workspace>;
  workspaceOptions?: WorkspaceToolOptions;
  log: Logger;
}

const REMEMBER = z.object({
  key: z
    .string()
    .min(1)
    .max(200)
    .refine((key) => key !== '__proto__', 'reserved: "__proto__" cannot name a note')
    .describe('The note name.'),
  value: z.string().max(100_000).describe('What to remember.'),
});
const RECALL = z.object({ key: z.string().min(1).max(200).optional().describe('The note name; omit for all notes.') });

/**
 * The tools this run may use, as a function read before each turn (an MCP server's tools follow its list_changed).
 * MCP servers the plan names are started here; one that cannot start is logged and left out, the run goes on.
 */
export async function buildAgentTools(ctx: AgentToolContext): Promise<() => AgentTool[]> {
  const plan = ctx.catalog.plan(ctx.agent);
  const fixed: AgentTool[] = plan.baton.map((name) => ownTool(name, ctx));
  if (plan.workspace.length > 0) {
    const workspace = await ctx.workspace();
    fixed.push(...plan.workspace.map((kind) => kind.create(workspace, ctx.workspaceOptions ?? {})));
  }
  const servers = await Promise.all(
    plan.mcp.map(async (selection) => {
      const connection = ctx.mcp.connection(selection.ref);
      await connection.tools().catch((error: unknown) =>
        ctx.log.warn('an MCP server of this run is not available', {
          agent: ctx.agent.id,
          server: selection.ref.name,
          error: errorMessage(error),
        }),
      );
      const wanted = (name: string) =>
        (selection.only === null || selection.only.has(name)) && !selection.except.has(name);
      return { connection, wanted };
    }),
  );
  if (servers.length === 0) return () => fixed;
  return () => [...fixed, ...servers.flatMap(({ connection, wanted }) => mcpAgentTools(connection, wanted))];
}

/** One of Baton's own tools for this run (only the plan's are made: a run offers a few of them). */
function ownTool(name: string, ctx: AgentToolContext): AgentTool {
  const json = (value: unknown) => JSON.stringify(value);
  if (name === 'remember') {
    return tool(
      'remember',
      'Keep a note (key → value) for later in this task, or for agents that share your memory.',
      REMEMBER,
      async ({ key, value }) => {
        await ctx.ready;
        await ctx.notes.remember(key, value);
        return json({ remembered: key });
      },
    );
  }
  if (name === 'recall') {
    return tool('recall', 'Read your notes: one by key, or all of them.', RECALL, async ({ key }) => {
      const notes = await ctx.notes.read();
      return json(key === undefined ? notes : { [key]: Object.hasOwn(notes, key) ? notes[key] : null });
    });
  }
  const op = OPERATIONS_BY_NAME.get(name);
  if (!op) throw new Error(`no Baton tool named ${name}`);
  const made = operationTool(op, ctx);
  if (name !== 'report_task_progress') return made;
  // The agent's own words are the progress people watch (baton dispatch, notifications/progress).
  return {
    ...made,
    progress: (args) => (typeof args.message === 'string' && args.message.trim() ? args.message.trim() : undefined),
  };
}

const OPERATION_LIST = Object.values(OPERATIONS) as Operation[];
const OPERATIONS_BY_NAME = new Map(OPERATION_LIST.map((op) => [op.name, op]));

/**
 * The input schema of each operation as a subagent gives it: its own task's id implied, a child's parent too. Made
 * once: a tool's JSON Schema is cached by its zod schema, and a schema derived per run would be converted per run.
 */
const AGENT_INPUTS = new Map(
  OPERATION_LIST.map((op) => [
    op.name,
    op.ownTask
      ? op.input.omit({ task_id: true })
      : op.name === 'delegate_task'
        ? op.input.omit({ parent_task_id: true })
        : op.input,
  ]),
);

/** An operation as a subagent calls it: the same handler and the same answer as over MCP. */
function operationTool(op: Operation, ctx: AgentToolContext): AgentTool {
  const own = ctx.task.id;
  const schema = AGENT_INPUTS.get(op.name) as Operation['input'];
  return tool(op.name, op.agentDescription ?? op.description, schema, async (args, signal) => {
    const input = op.ownTask ? { ...args, task_id: own } : args;
    await ctx.ready;
    const call = () => op.run(ctx.operations, input, { signal });
    return JSON.stringify(await (op.waits?.(input) ? ctx.waiting(call) : call()));
  });
}
