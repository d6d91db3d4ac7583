import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import type { AgentDefinition } from '../../agents/definition.js';
import { formatModel } from '../../providers/model-spec.js';
import type { SessionContext } from '../context.js';
import { toolResult } from '../tool-result.js';

export const name = 'list_agents';

const AgentInfoSchema = z.object({
  id: z.string(),
  description: z.string(),
  model: z.string().describe('provider:model, or sampling (the client model).'),
  model_spec: z.string().optional().describe('As written, when an alias changed it.'),
  usable: z.boolean().describe('Whether it can run now (key set, or the client offers sampling).'),
  unusable_reason: z.string().optional(),
  tool_scope: z.enum(['isolated', 'restricted', 'shared']),
  memory_scope: z.enum(['isolated', 'snapshot', 'shared']),
  max_steps: z.number().int(),
  tools: z.array(z.string()).describe('The tools it gets.'),
  tool_problems: z.array(z.string()).describe('Listed tools that match nothing or are not permitted.'),
  path: z.string(),
});
const OutputSchema = z.object({
  agents: z.array(AgentInfoSchema),
  problems: z.array(z.object({ path: z.string(), reason: z.string() })),
});
export type AgentInfo = z.infer<typeof AgentInfoSchema>;

/** One agent as list_agents and the agents resources show it. */
export function describeAgent(agent: AgentDefinition, ctx: SessionContext): AgentInfo {
  const spec = agent.model && agent.model !== 'inherit' ? agent.model : (ctx.defaultModel ?? 'sampling');
  let usable = false;
  let reason: string | undefined;
  let model = spec;
  try {
    const resolved = ctx.models.resolve(spec);
    const { provider } = resolved;
    model = provider === 'sampling' || provider === 'inherit' ? provider : formatModel(resolved);
    if (provider === 'sampling' || provider === 'inherit') {
      usable = ctx.sampler() !== undefined;
      if (!usable) reason = 'no model set (--model) and this client does not offer sampling';
    } else {
      usable = ctx.providers.isUsable(provider);
      if (!usable) reason = ctx.providers.keyProblem(provider) ?? undefined;
    }
  } catch (error) {
    reason = (error as Error).message;
  }
  const plan = ctx.catalog.plan(agent);
  return {
    id: agent.id,
    description: agent.description,
    model,
    ...(model !== spec ? { model_spec: spec } : {}),
    usable,
    ...(reason ? { unusable_reason: reason } : {}),
    tool_scope: agent.tool_scope,
    memory_scope: agent.memory_scope,
    max_steps: agent.max_steps,
    tools: plan.names,
    tool_problems: plan.problems,
    path: agent.path,
  };
}

/** list_agents: every discovered agent, whether it can run now, and the problems of bad definition files. */
export function register(server: McpServer, ctx: SessionContext): RegisteredTool {
  return server.registerTool(
    name,
    {
      title: 'List agents',
      description: "List the agents Baton can run (model, usable now or why not, tools) and bad agent files' problems.",
      outputSchema: OutputSchema.shape,
      annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    () =>
      toolResult(async () => ({
        agents: ctx.agents.list().map((a) => describeAgent(a, ctx)),
        problems: ctx.agents.problems(),
      })),
  );
}
