/** `baton agents`: the discovered agents and the problems of bad definition files, without a server. */
import os from 'node:os';
import { openAgentRegistry } from '../agents/registry.js';
import type { Config } from '../config.js';
import { parseModelSpec } from '../providers/model-spec.js';
import type { ProviderEnv } from '../providers/types.js';
import { apiKeyProblem } from '../providers/vendor-sdk.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';
import { formatTable } from './table.js';

export const agentsCommand: CommandSpec = {
  name: 'agents',
  summary: 'list the discovered agents, and the problems found in bad definition files',
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
  config: Pick<Config, 'agents' | 'model'>,
  options: { json?: boolean; env?: ProviderEnv; width?: number } = {},
): Promise<string> {
  const registry = await openAgentRegistry({ dirs: config.agents, cwd: process.cwd(), home: os.homedir() });
  const env = options.env ?? process.env;
  const agents = registry.list().map((a) => {
    const model = a.model && a.model !== 'inherit' ? a.model : (config.model ?? 'sampling');
    return {
      id: a.id,
      model,
      ready: readiness(model, env),
      scope: a.tool_scope,
      description: a.description,
      path: a.path,
    };
  });
  if (options.json)
    return JSON.stringify({ folders: registry.folders(), agents, problems: registry.problems() }, null, 2);
  const lines = [
    agents.length === 0
      ? 'No agents.'
      : formatTable(
          ['ID', 'MODEL', 'READY', 'TOOLS', 'DESCRIPTION'],
          agents.map((a) => [a.id, a.model, a.ready, a.scope, a.description]),
          { maxWidth: options.width || 110, shrink: [4, 2, 1] },
        ),
    '',
    `Folders: ${registry.folders().join(', ') || 'none'}`,
  ];
  const problems = registry.problems();
  if (problems.length > 0) {
    lines.push('', `Problems (${problems.length}):`, ...problems.map((p) => `  ${p.path}: ${p.reason}`));
  }
  return lines.join('\n');
}

function readiness(model: string, env: ProviderEnv): string {
  try {
    const { provider } = parseModelSpec(model);
    if (provider === 'anthropic' || provider === 'openai') {
      const problem = apiKeyProblem(provider, env);
      return problem === null ? 'yes' : `no: ${problem}`;
    }
    return 'via client sampling';
  } catch (error) {
    return `no: ${(error as Error).message}`;
  }
}
