/**
 * Prompts and completions (SPEC §4): each agent the caller can dispatch is a prompt (hosts that show prompts offer
 * it as a slash command) taking the task; `fan-out` drafts a delegation plan over several agents, its `agents`
 * argument completed (completions.ts).
 */
import { completable } from '@modelcontextprotocol/sdk/server/completable.js';
import type { McpServer, RegisteredPrompt } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { GetPromptResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { AgentDefinition } from '../agents/definition.js';
import { completeAgentIds, dispatchable } from './completions.js';
import type { SessionContext } from './context.js';

export const FAN_OUT = 'fan-out';

function userText(text: string, description?: string): GetPromptResult {
  return {
    ...(description ? { description } : {}),
    messages: [{ role: 'user', content: { type: 'text', text } }],
  };
}

/** The prompt of one agent: dispatch it on the task. */
function registerAgentPrompt(server: McpServer, agent: AgentDefinition): RegisteredPrompt {
  return server.registerPrompt(
    agent.id,
    {
      title: `Dispatch ${agent.id}`,
      description: agent.description,
      argsSchema: {
        task: z.string().describe(`What ${agent.id} should do.`),
        context: z.string().optional().describe('Background it needs (files, findings, constraints).'),
      },
    },
    ({ task, context }) =>
      userText(
        `Use the subagent_dispatch tool with agent_id "${agent.id}" and this task` +
          `${context ? ' (pass the context as context)' : ''}, then show me its answer.\n\nTask:\n${task}` +
          `${context ? `\n\nContext:\n${context}` : ''}`,
        `Dispatch ${agent.id}`,
      ),
  );
}

/** `fan-out`: a plan that splits a goal over several agents, delegates in parallel, waits and merges. */
function registerFanOut(server: McpServer, ctx: SessionContext): RegisteredPrompt {
  return server.registerPrompt(
    FAN_OUT,
    {
      title: 'Fan out a goal to several agents',
      description: 'Draft a delegation plan: split a goal into parallel tasks for the available agents, then merge.',
      argsSchema: {
        goal: z.string().describe('What the whole job should achieve.'),
        // completable() outermost: describe() would return a copy without the completer.
        agents: completable(
          z.string().optional().describe('Comma-separated agent ids to use (default: whichever fit).'),
          (value) => completeAgentIds(ctx, value ?? ''),
        ),
      },
    },
    ({ goal, agents }) => {
      const wanted = agents
        ?.split(',')
        .map((a) => a.trim())
        .filter(Boolean);
      const pool = dispatchable(ctx).filter((a) => !wanted?.length || wanted.includes(a.id));
      const roster = pool.map((a) => `- ${a.id}: ${a.description.replace(/\s+/g, ' ').trim()}`).join('\n');
      const group = `fan-out-${Date.now().toString(36)}`;
      return userText(
        [
          `Goal: ${goal}`,
          '',
          'Draft a delegation plan, show it to me, then carry it out with Baton:',
          '1. Split the goal into independent tasks, each with a clear done-criterion, and pick the best agent for each.',
          `2. Call delegate_task once per task with group "${group}" (use depends_on where one task needs another's result).`,
          `3. Call wait_for_tasks with group "${group}".`,
          `4. Call merge with group "${group}" (strategy llm_summary for one answer, concat to keep every result, ` +
            'voting when the agents answered the same question), and report the result and any missing tasks.',
          '',
          pool.length > 0 ? `Agents:\n${roster}` : 'No agents are available: say so instead of planning.',
        ].join('\n'),
        'Fan out a goal',
      );
    },
  );
}

/**
 * Registers the prompts and keeps the agent prompts in step with the agent folders; returns `refresh`, to call
 * when the agents changed (each add or removal sends `notifications/prompts/list_changed`).
 */
export function registerPrompts(server: McpServer, ctx: SessionContext): () => void {
  registerFanOut(server, ctx);
  const prompts = new Map<string, { prompt: RegisteredPrompt; agent: AgentDefinition }>();
  const refresh = () => {
    const agents = new Map(dispatchable(ctx).map((a) => [a.id, a]));
    for (const [id, { prompt, agent }] of prompts) {
      if (agents.get(id)?.description === agent.description) continue;
      prompt.remove();
      prompts.delete(id);
    }
    for (const [id, agent] of agents) {
      // `fan-out` is Baton's own: an agent of that id is still dispatchable, only not as a prompt.
      if (id === FAN_OUT || prompts.has(id)) continue;
      prompts.set(id, { prompt: registerAgentPrompt(server, agent), agent });
    }
  };
  refresh();
  return refresh;
}
