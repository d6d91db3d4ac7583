/**
 * The command-line options, once. A command takes whole groups of shared options (`CommandSpec.groups`), so an
 * option added here shows up, with its help, in every command that applies it: add a serve-only option to `serve`,
 * one that every command running agents needs to `runtime` or `agents`. Values are validated by `parseConfig`
 * (src/config.ts), which also reads them from the environment and baton.config.json.
 */
import { Option } from 'commander';
import type { Command } from 'commander';
import { LOG_LEVELS } from '../log.js';

/** One option: commander's flag syntax and its help line. */
export interface CliOption {
  flags: string;
  description: string;
  /** May be given several times; the values are collected into an array. */
  repeatable?: boolean;
  /** The only values allowed (shown in the help). */
  choices?: readonly string[];
}

/** Shared options by who needs them. */
export type OptionGroup = 'serve' | 'runtime' | 'agents' | 'store' | 'config';

export const SHARED_OPTIONS: Record<OptionGroup, CliOption[]> = {
  // Only a server listens.
  serve: [
    { flags: '--stdio', description: 'serve MCP over stdin/stdout (the default)' },
    { flags: '--http <[host:]port>', description: 'serve MCP over HTTP: Streamable HTTP at /mcp, legacy SSE at /sse' },
    { flags: '--tokens <file>', description: 'JSON file {"<token>": "<agent id>"}: HTTP needs a bearer token' },
    { flags: '--admin-token <token>', description: 'HTTP: a bearer token that sees every task on the board' },
    { flags: '--tools <list>', description: 'comma-separated tool names or groups to publish (default all)' },
    {
      flags: '--max-sessions <n>',
      description: 'HTTP: open sessions per token, or in all without tokens (default 64)',
    },
    { flags: '--session-idle-timeout <seconds>', description: 'HTTP: close sessions idle this long (default 1800)' },
  ],
  // Whatever runs subagents: serve, dispatch, worker.
  runtime: [
    { flags: '--as <id>', description: 'the agent id this client acts as (default host)' },
    { flags: '--max-concurrency <n>', description: 'subagents running at once (default 8)' },
    { flags: '--max-depth <n>', description: 'how deep subagents may nest (default 3)' },
    { flags: '--max-per-session <n>', description: 'live subagent tasks under one root session (default 10)' },
    { flags: '--default-timeout <seconds>', description: 'task timeout when none is given (default 600)' },
    {
      flags: '--lease-seconds <seconds>',
      description:
        "a subagent task's claim lasts this long unless renewed; a dead process's tasks are taken over after it (default 30)",
    },
    {
      flags: '--max-tokens-per-root <n>',
      description: "a token budget for every root task's whole tree, input and output (default none)",
    },
    { flags: '--log-level <level>', description: 'log level on stderr', choices: LOG_LEVELS },
    {
      flags: '--workspace <dir>',
      description: 'where workspace tools act when the host declares no roots (repeatable)',
      repeatable: true,
    },
  ],
  // Whatever discovers agents: serve, dispatch, agents.
  agents: [
    { flags: '--agents <dir>', description: 'a folder of agent definitions (repeatable)', repeatable: true },
    { flags: '--model <provider:model>', description: 'the model for agents that name none' },
    { flags: '--allow <list>', description: 'let agents that list them have write (Write, Edit) and bash (Bash)' },
    {
      flags: '--mcp-config <file>',
      description: 'MCP servers for subagents, {"mcpServers": {…}} (repeatable)',
      repeatable: true,
    },
    {
      flags: '--model-map <alias=spec>',
      description: 'map a model alias or vendor:* to another model (repeatable)',
      repeatable: true,
    },
    { flags: '--no-bundled-agents', description: 'do not add the bundled agents as the lowest agent folder' },
  ],
  store: [{ flags: '--store <path>', description: 'the task store file (default ~/.baton/store.json)' }],
  config: [{ flags: '--config <path>', description: 'the config file (default ./baton.config.json)' }],
};

/** Adds `options` to `command`. */
export function addOptions(command: Command, options: readonly CliOption[]): void {
  for (const spec of options) {
    const option = new Option(spec.flags, spec.description);
    if (spec.choices) option.choices(spec.choices);
    if (spec.repeatable) option.argParser(collect);
    command.addOption(option);
  }
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
