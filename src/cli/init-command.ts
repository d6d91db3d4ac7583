/**
 * `baton init [--host H] [--model M] [--agents DIR]`: sets a project up in one step. It copies the bundled example
 * agents into ./.claude/agents (never over a file that is there) and, with --host, merges Baton's entry into that
 * host's config file (src/cli/host-configs.ts) without losing anything: a backup beside it, the other servers and
 * keys kept, a file that is not valid JSON refused untouched. Without --host it prints every host's snippet.
 */
import { constants, realpathSync } from 'node:fs';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bundledAgentsDir } from '../agents/registry.js';
import { errorMessage, ConfigError } from '../errors.js';
import type { ProviderEnv } from '../providers/types.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import type { Host, HostContext } from './host-configs.js';
import { HOSTS, SERVER_NAME, hostConfig } from './host-configs.js';
import { editJsonFile } from './json-config-file.js';
import { indent } from './table.js';

/** The subagents' model when neither --model nor BATON_MODEL names one. */
export const DEFAULT_INIT_MODEL = 'anthropic:claude-sonnet-4-5';

export const initCommand: CommandSpec = {
  name: 'init',
  summary: "set up this folder: example agents in ./.claude/agents and a host's config entry, merged safely",
  groups: [],
  options: [
    {
      flags: '--host <host>',
      description: "the host to configure; without it, every host's entry is printed",
      choices: HOSTS,
    },
    {
      flags: '--model <provider:model>',
      description: `the subagents' model (default BATON_MODEL, else ${DEFAULT_INIT_MODEL})`,
    },
    { flags: '--agents <dir>', description: 'where to put the example agents (default ./.claude/agents)' },
  ],
  async run(_args, flags) {
    const text = await runInit(
      {
        host: flags.host as Host | undefined,
        model: flags.model as string | undefined,
        agents: flags.agents as string | undefined,
      },
      {
        cwd: process.cwd(),
        home: os.homedir(),
        platform: process.platform,
        env: process.env,
        node: process.execPath,
        // The script this process runs (npm's bin link resolved), so the host starts this same Baton.
        cli: realpathSync(process.argv[1] ?? '.'),
        bundledDir: bundledAgentsDir(),
      },
    );
    process.stdout.write(text);
    return EXIT.ok;
  },
};

export interface InitOptions {
  host?: Host | undefined;
  model?: string | undefined;
  agents?: string | undefined;
}

/** The machine `init` runs on; injected so tests can use temp folders for home and project. */
export interface InitEnvironment extends Omit<HostContext, 'agentsDir' | 'model'> {
  env: ProviderEnv;
  bundledDir: string;
}

/** Does the work and returns what to print. */
export async function runInit(options: InitOptions, machine: InitEnvironment): Promise<string> {
  const agentsDir = path.resolve(machine.cwd, options.agents ?? path.join('.claude', 'agents'));
  const context: HostContext = {
    ...machine,
    agentsDir,
    model: options.model ?? machine.env.BATON_MODEL ?? DEFAULT_INIT_MODEL,
  };
  const lines: string[] = [];
  if (options.host === undefined) {
    // Validate the model before writing anything.
    const configs = HOSTS.map((host) => hostConfig(host, context));
    lines.push(await copyExampleAgents(machine.bundledDir, agentsDir), '');
    for (const config of configs) {
      lines.push(`${config.host}: ${config.file}`, indent(JSON.stringify(config.snippet, null, 2)));
      lines.push(...config.notes.map((n) => `  ${n}`), '');
    }
    lines.push(`Next: baton init --host <${HOSTS.join('|')}> writes one of these, merged into the file.`);
    return `${lines.join('\n')}\n`;
  }

  // The config first: a file that cannot be merged stops init before anything is written.
  const config = hostConfig(options.host, context);
  let before = { replaced: false, others: 0 };
  const change = await editJsonFile(config.file, {
    jsonc: config.jsonc,
    edits: (document) => {
      const list = document[config.listKey];
      const names = list && typeof list === 'object' ? Object.keys(list) : [];
      before = { replaced: names.includes(SERVER_NAME), others: names.filter((n) => n !== SERVER_NAME).length };
      return config.edits(document);
    },
  });
  lines.push(await copyExampleAgents(machine.bundledDir, agentsDir));
  const kept = before.others > 0 ? `; kept the other ${before.others} server${before.others === 1 ? '' : 's'}` : '';
  lines.push(
    change.created
      ? `Created ${change.file} with the "${SERVER_NAME}" server`
      : `${before.replaced ? 'Replaced' : 'Added'} the "${SERVER_NAME}" server in ${change.file}${kept}`,
  );
  if (change.backup) lines.push(`  the file as it was: ${change.backup}`);
  lines.push(`  model: ${context.model}`, ...config.notes.map((n) => `  ${n}`));
  if (machine.cli.split(/[\\/]/).includes('_npx')) {
    // npx keeps packages in a cache it may clear: the entry would then point at nothing.
    lines.push(`  ${machine.cli} is in npx's cache: install Baton (npm install -g) and run init again to keep it`);
  }
  lines.push(`Next: ${config.next}, then ask it to "use the researcher agent to find out what MCP sampling is".`);
  return `${lines.join('\n')}\n`;
}

/** Copies the bundled `*.md` agents into `dir`, keeping any file already there. Returns one line saying what. */
async function copyExampleAgents(bundledDir: string, dir: string): Promise<string> {
  let names: string[];
  try {
    names = (await readdir(bundledDir)).filter((n) => n.endsWith('.md')).sort();
  } catch (error) {
    throw new ConfigError(`cannot read the bundled agents in ${bundledDir}: ${errorMessage(error)}`, { cause: error });
  }
  await mkdir(dir, { recursive: true });
  const wrote: string[] = [];
  const kept: string[] = [];
  for (const name of names) {
    try {
      await copyFile(path.join(bundledDir, name), path.join(dir, name), constants.COPYFILE_EXCL);
      wrote.push(name);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new ConfigError(`cannot write ${path.join(dir, name)}: ${errorMessage(error)}`, { cause: error });
      }
      kept.push(name);
    }
  }
  const parts = [
    ...(wrote.length > 0 ? [`wrote ${wrote.join(', ')}`] : []),
    ...(kept.length > 0 ? [`kept your ${kept.join(', ')}`] : []),
  ];
  return `Example agents in ${dir}: ${parts.join('; ') || 'none bundled'}`;
}
