/** `baton agents`: the discovered agents, their model and readiness, their tools, and the problems of bad files. */
import os from 'node:os';
import { openAgentRegistry } from '../agents/registry.js';
import type { Config } from '../config.js';
import { silentLogger } from '../log.js';
import { createModelResolver } from '../providers/model-resolver.js';
import { formatModel } from '../providers/model-spec.js';
import type { ProviderEnv } from '../providers/types.js';
import { apiKeyProblem } from '../providers/vendor-sdk.js';
import { AgentToolCatalog } from '../runtime/tool-catalog.js';
import { McpServerPool } from '../tools/mcp-client/pool.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';
import { formatTable } from './table.js';

export const agentsCommand: CommandSpec = {
  name: 'agents',
  summary: 'list the discovered agents, the tools each gets, and the problems found in definition files',
  groups: ['agents', 'config'],
  options: [{ flags: '--json', description: 'print JSON for scripts' }],
  async run(_args, flags) {
    const config = loadConfig(flags);
    // A table on a terminal fits its width; piped, lines are cut at 110 characters (--json has everything).
    const width = process.stdout.isTTY ? process.stdout.columns : 0;
    process.stdout.write(`${await listAgents(config, { json: flags.json === true, width })}\n`);
    return EXIT.ok;
  },
};

/** The agents as a table (or JSON), then the problems. */
export async function listAgents(
  config: Pick<Config, 'agents' | 'model' | 'bundledAgents' | 'permissions' | 'mcpServers' | 'models'>,
  options: { json?: boolean; env?: ProviderEnv; width?: number } = {},
): Promise<string> {
  const registry = await openAgentRegistry({
    dirs: config.agents,
    cwd: process.cwd(),
    home: os.homedir(),
    bundled: config.bundledAgents,
  });
  const env = options.env ?? process.env;
  const models = createModelResolver({ map: config.models });
  // Nothing is started: the plans only read the configuration.
  const catalog = new AgentToolCatalog(
    new Set(config.permissions),
    new McpServerPool({ servers: config.mcpServers, log: silentLogger }),
    silentLogger,
  );
  const agents = registry.list().map((a) => {
    const spec = a.model && a.model !== 'inherit' ? a.model : (config.model ?? 'sampling');
    const { model, ready } = readiness(spec, models, env);
    const plan = catalog.plan(a);
    // The table: an agent that lists its tools shows them; one that does not shows its scope (and what it adds).
    const extra = plan.names.filter((name) => !plan.baton.includes(name));
    const shown = a.tools ? plan.names.join(', ') || 'none' : [a.tool_scope, ...extra].join(' + ');
    return {
      shown,
      id: a.id,
      model,
      ...(model !== spec ? { model_spec: spec } : {}),
      ready,
      scope: a.tool_scope,
      tools: plan.names,
      tool_problems: plan.problems,
      description: a.description,
      path: a.path,
    };
  });
  if (options.json) {
    const listed = agents.map(({ shown: _shown, ...agent }) => agent);
    return JSON.stringify({ folders: registry.folders(), agents: listed, problems: registry.problems() }, null, 2);
  }
  const lines = [
    agents.length === 0
      ? 'No agents.'
      : formatTable(
          ['ID', 'MODEL', 'READY', 'TOOLS', 'DESCRIPTION'],
          agents.map((a) => [a.id, a.model, a.ready, a.shown, a.description]),
          { maxWidth: options.width || 110, shrink: [4, 3, 2, 1] },
        ),
    '',
    `Folders: ${registry.folders().join(', ') || 'none'}`,
  ];
  const toolProblems = agents.flatMap((a) => a.tool_problems.map((p) => `  ${a.id}: ${p}`));
  if (toolProblems.length > 0) lines.push('', `Tool problems (${toolProblems.length}):`, ...toolProblems);
  const problems = registry.problems();
  if (problems.length > 0) {
    lines.push('', `Problems (${problems.length}):`, ...problems.map((p) => `  ${p.path}: ${p.reason}`));
  }
  return lines.join('\n');
}

function readiness(
  spec: string,
  models: ReturnType<typeof createModelResolver>,
  env: ProviderEnv,
): { model: string; ready: string } {
  try {
    const resolved = models.resolve(spec);
    const { provider } = resolved;
    if (provider === 'anthropic' || provider === 'openai') {
      const problem = apiKeyProblem(provider, env);
      return { model: formatModel(resolved), ready: problem === null ? 'yes' : `no: ${problem}` };
    }
    return { model: provider, ready: 'via client sampling' };
  } catch (error) {
    return { model: spec, ready: `no: ${(error as Error).message}` };
  }
}
