import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentDefinition } from '../../agents/definition.js';
import { InputError } from '../../errors.js';
import type { Task } from '../../model/task.js';
import type { DispatchOutcome } from '../../runtime/dispatcher.js';
import { DispatchInputSchema } from '../../tasks/dispatch-input.js';
import { dispatchAnswer, subagentDispatch } from '../../tasks/operations/subagent-dispatch.js';
import { BOARD_TOOL_META } from '../board-app.js';
import type { SessionContext } from '../context.js';
import { toMcpTask } from '../mcp-task-store.js';
import { progressOf } from '../progress.js';
import type { ToolView } from '../tool-list.js';
import { describeAgent } from './list-agents.js';

export { HEARTBEAT_MS } from '../progress.js';

export const name = subagentDispatch.name;

/**
 * The agents' descriptions share a fixed budget of characters in the tool description (SPEC §4: cut to keep the
 * whole tool list small, SPEC §11: ≤ 4,000 tokens with 20 agents): up to 240 each when few, 70 at 20 agents, down to 60 when more.
 */
const DESCRIPTIONS_BUDGET = 1400;
const DESCRIPTION_CHARS = { max: 240, min: 60 };
/** How far back a cut description may end, to end at a whole word. */
const WORD_CUT_CHARS = 16;

/** The seed's description: the dispatchable agents (never the caller itself) in `<available_agents>`. */
export function describeDispatch(agents: AgentDefinition[]): string {
  const each = Math.max(
    DESCRIPTION_CHARS.min,
    Math.min(DESCRIPTION_CHARS.max, Math.floor(DESCRIPTIONS_BUDGET / agents.length)),
  );
  const lines = agents.map((a) => `<agent id="${a.id}">${escape(cut(a.description, each))}</agent>`);
  return [subagentDispatch.description, '<available_agents>', ...lines, '</available_agents>'].join('\n');
}

/** The input schema with `agent_id` narrowed to the dispatchable agents. */
export function dispatchShape(agents: AgentDefinition[]) {
  const ids = agents.map((a) => a.id);
  const agentId =
    ids.length > 0
      ? z.enum(ids as [string, ...string[]]).describe('One of <available_agents>.')
      : DispatchInputSchema.shape.agent_id.describe('No agents are available yet.');
  return { ...DispatchInputSchema.shape, agent_id: agentId };
}

/** The finished dispatch as a tool result: the operation's answer, an error result unless it completed. */
export function dispatchResult(task: Task, sessionId: string | null): CallToolResult {
  const structured = dispatchAnswer(task, sessionId);
  if (task.status !== 'completed') {
    return {
      isError: true,
      content: [{ type: 'text', text: `${task.assignee_id} ${task.status.replace('_', ' ')}: ${task.error ?? ''}` }],
      structuredContent: structured,
    };
  }
  return { content: [{ type: 'text', text: structured.result ?? '' }], structuredContent: structured };
}

/** subagent_dispatch: run a defined agent on a task and wait for the answer (SPEC §4), as an MCP Tasks tool. */
export function register(server: McpServer, ctx: SessionContext): RegisteredTool {
  const agents = () => ctx.agents.list().filter((a) => a.id !== ctx.caller);
  return server.experimental.tasks.registerToolTask(
    name,
    {
      title: subagentDispatch.title,
      description: describeDispatch(agents()),
      inputSchema: dispatchShape(agents()),
      outputSchema: subagentDispatch.output.shape,
      annotations: subagentDispatch.annotations,
      execution: { taskSupport: 'optional' },
      _meta: BOARD_TOOL_META,
    },
    {
      createTask: async (args, extra) => {
        const reserved = await extra.taskStore.createTask({ ttl: null });
        const { augmented } = ctx.taskStore.takeReservation(reserved.taskId);
        // A task-augmented call is answered at once: its progress is the task's, read with tasks/get.
        const progress = progressOf(extra, { silent: augmented });
        let created!: (task: Task) => void;
        const createdTask = new Promise<Task>((resolve) => (created = resolve));
        const sampler = ctx.sampler();
        const roots = ctx.roots();
        // A plain call answers with the task's end: the same news as a log message would be redundant here.
        const answering = augmented ? null : ctx.session.answering;
        answering?.add(reserved.taskId);
        const run: Promise<DispatchOutcome> = ctx.runtime
          .dispatch(ctx.caller, args, {
            taskId: reserved.taskId,
            // A task-augmented call outlives its request: only tasks/cancel stops it. A plain call answers while
            // the task's end is made durable: this session's answers wait for it.
            ...(augmented ? {} : { signal: extra.signal, early: true }),
            // Only a task-augmented call is told of the creation; a plain one hears of the task in its result, so
            // its creation rides on the run's last fsync.
            ...(augmented ? { onCreated: created } : {}),
            onProgress: (e) => progress.send(e.message),
            ...(sampler ? { sampler } : {}),
            ...(roots ? { roots } : {}),
          })
          .finally(() => progress.stop());
        // Until the task's end is told (after its fsync, when an early answer is already on its way).
        void run
          .then((o) => o.told)
          .catch(() => undefined)
          .finally(() => answering?.delete(reserved.taskId));
        if (augmented) {
          run.catch((error: unknown) => ctx.log.warn('background dispatch failed', { error: String(error) }));
          return { task: toMcpTask(await Promise.race([createdTask, run.then((o) => o.task)])) };
        }
        // A plain call: run to the end here, with progress; the SDK then answers with tasks/result's payload, which
        // is this outcome (no second read).
        const outcome = await run;
        // An early answer: built while the task's end is made durable, sent once it is (or refused if it fails).
        if (outcome.durable) ctx.holdAnswer(extra.requestId, outcome.durable);
        ctx.taskStore.keepResult(outcome.task.id, dispatchResult(outcome.task, outcome.session_id));
        return { task: toMcpTask(outcome.task) };
      },
      getTask: async (_args, extra) => {
        const task = await ctx.taskStore.getTask(extra.taskId);
        if (!task) throw new InputError('not_found', `task not found: ${extra.taskId}`);
        return task;
      },
      getTaskResult: async (_args, extra) => (await ctx.taskStore.getTaskResult(extra.taskId)) as CallToolResult,
    },
  );
}

/** Regenerates the description and the agent enum after the agents changed (hot reload). */
export function refresh(tool: RegisteredTool, ctx: SessionContext): void {
  const agents = ctx.agents.list().filter((a) => a.id !== ctx.caller);
  tool.update({ description: describeDispatch(agents), paramsSchema: dispatchShape(agents) });
}

/**
 * What tools/list shows: only the agents that can run for this client now (a usable model: an API key, or sampling
 * offered), so a model is never offered an agent that would fail at once; `baton agents` and list_agents say why
 * one is left out. The registered enum keeps every agent, so a call naming a left-out one gets that reason.
 */
export function view(ctx: SessionContext): ToolView {
  return () => {
    const agents = ctx.agents.list().filter((a) => a.id !== ctx.caller && describeAgent(a, ctx).usable);
    return { description: describeDispatch(agents), inputSchema: z.object(dispatchShape(agents)) };
  };
}

function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  // At a word's end when one is near: a word cut in two costs tokens and says nothing.
  const head = flat.slice(0, max - 1);
  const space = head.lastIndexOf(' ');
  return `${(space >= max - WORD_CUT_CHARS ? head.slice(0, space) : head).replace(/[\s,.;:]+$/, '')}…`;
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
