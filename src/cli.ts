#!/usr/bin/env node
/**
 * The `baton` command: argv/env → config → the shared parts, built once → a transport.
 * The only place that exits the process. In stdio mode stdout carries the protocol and nothing else.
 */
import { Command, Option } from 'commander';
import { createBaton } from './baton.js';
import type { Baton } from './baton.js';
import { loadConfig, loadTokens } from './cli/load-config.js';
import { agentsCommand } from './cli/agents-command.js';
import { dispatchCommand } from './cli/dispatch-command.js';
import { taskCommand, tasksCommand } from './cli/tasks-command.js';
import { BatonError, ConfigError, errorMessage } from './errors.js';
import { createLogger } from './log.js';
import { VERSION } from './version.js';

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

async function serve(flags: Record<string, unknown>): Promise<void> {
  const config = loadConfig(flags);
  const tokens = loadTokens(config);
  const log = createLogger(config.logLevel);
  const baton: Baton = await createBaton(config, log, { watch: true });

  let transport: { close(): Promise<void> };
  let ended: Promise<void> | null = null;
  if (config.transport === 'http' && config.http) {
    // Loaded only when asked for: express stays out of stdio start-up.
    const { startHttp } = await import('./transports/http.js');
    const http = await startHttp(baton, { ...config.http, agentId: config.as, tokens });
    transport = http;
    log.info(`listening on ${http.url}/mcp (Streamable HTTP), ${http.url}/sse (legacy SSE)`, {
      auth: tokens ? `${tokens.size} token(s)` : `none, acting as ${config.as}`,
      store: config.store,
    });
  } else {
    const { startStdio } = await import('./transports/stdio.js');
    const stdio = await startStdio(baton, config.as);
    transport = stdio;
    ended = stdio.ended;
    log.info(`serving over stdio as ${config.as}`, { store: config.store });
  }

  let stopping = false;
  const stop = async (reason: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`shutting down (${reason})`);
    try {
      await transport.close();
      await baton.close();
    } catch (error) {
      log.error('error while shutting down', { error: errorMessage(error) });
      process.exit(1);
    }
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  // SPEC §10: over stdio, the client closing stdin ends the server.
  void ended?.then(() => stop('stdin closed'));
}

function serveOptions(command: Command): Command {
  return agentToolOptions(
    command
      .option('--stdio', 'serve MCP over stdin/stdout (the default)')
      .option('--http <[host:]port>', 'serve MCP over HTTP: Streamable HTTP at /mcp, legacy SSE at /sse')
      .option('--agents <dir>', 'a folder of agent definitions (repeatable)', collect)
      .option('--store <path>', 'the task store file (default ~/.baton/store.json)')
      .option('--as <id>', 'the agent id this client acts as (default host)')
      .option('--model <provider:model>', 'the model for agents that name none')
      .option('--max-concurrency <n>', 'subagents running at once (default 8)')
      .option('--max-depth <n>', 'how deep subagents may nest (default 3)')
      .option('--max-per-session <n>', 'live subagent tasks under one root session (default 10)')
      .option('--default-timeout <seconds>', 'task timeout when none is given (default 600)')
      .option('--tokens <file>', 'JSON file {"<token>": "<agent id>"}: HTTP needs a bearer token')
      .option('--tools <list>', 'comma-separated names of the tools to publish (default all)')
      .option('--workspace <dir>', 'where workspace tools act when the host declares no roots (repeatable)', collect),
  )
    .addOption(
      new Option('--log-level <level>', 'log level on stderr').choices(['debug', 'info', 'warn', 'error', 'silent']),
    )
    .option('--config <path>', 'the config file (default ./baton.config.json)');
}

/** Options that decide what each agent may use: shared by `serve`, `dispatch` and `agents`. */
function agentToolOptions(command: Command): Command {
  return command
    .option('--allow <list>', 'let agents that list them have write (Write, Edit) and bash (Bash)')
    .option('--mcp-config <file>', 'MCP servers for subagents, {"mcpServers": {…}} (repeatable)', collect)
    .option('--model-map <alias=spec>', 'map a model alias or vendor:* to another model (repeatable)', collect)
    .option('--no-bundled-agents', 'do not add the bundled agents as the lowest agent folder');
}

function storeOptions(command: Command): Command {
  return command
    .option('--store <path>', 'the task store file (default ~/.baton/store.json)')
    .option('--config <path>', 'the config file (default ./baton.config.json)')
    .option('--json', 'print JSON for scripts');
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('baton')
    .description(
      'Baton: an MCP server that lets agents dispatch subagents, delegate and track tasks, and merge results.',
    )
    .version(VERSION)
    .showHelpAfterError();

  serveOptions(program.command('serve', { isDefault: true }).description('serve MCP (stdio unless --http)')).action(
    (flags: Record<string, unknown>) => serve(flags),
  );

  storeOptions(program.command('tasks').description('list stored tasks, newest first'))
    .option('--status <statuses>', 'only these statuses (comma-separated)')
    .option('--as <id>', 'only tasks this agent delegated or was assigned')
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig({ store: flags.store, config: flags.config });
      const text = await tasksCommand({
        store: config.store,
        status: flags.status as string | undefined,
        as: flags.as as string | undefined,
        json: flags.json === true,
      });
      process.stdout.write(`${text}\n`);
    });

  storeOptions(program.command('task').description('show one task whole').argument('<id>', 'the task id')).action(
    async (id: string, flags: Record<string, unknown>) => {
      const config = loadConfig({ store: flags.store, config: flags.config });
      process.stdout.write(`${await taskCommand(id, { store: config.store, json: flags.json === true })}\n`);
    },
  );

  agentToolOptions(
    program
      .command('agents')
      .description('list the discovered agents, the tools each gets, and the problems found in definition files')
      .option('--agents <dir>', 'a folder of agent definitions (repeatable)', collect)
      .option('--model <provider:model>', 'the model for agents that name none'),
  )
    .option('--config <path>', 'the config file (default ./baton.config.json)')
    .option('--json', 'print JSON for scripts')
    .action(async (flags: Record<string, unknown>) => {
      const config = loadConfig(flags);
      process.stdout.write(`${await agentsCommand(config, { json: flags.json === true })}\n`);
    });

  serveOptions(
    program
      .command('dispatch')
      .description('run one subagent from the shell: live progress on stderr, the answer on stdout')
      .argument('<agent>', 'the agent id')
      .argument('<task>', 'what the agent should do')
      .option('--context <text>', 'background for the agent, appended to the task')
      .option('--timeout <seconds>', 'stop the run after this many seconds'),
  ).action(async (agent: string, task: string, flags: Record<string, unknown>) => {
    const config = loadConfig(flags);
    const log = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel);
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    const timeout = flags.timeout === undefined ? undefined : Number(flags.timeout);
    if (timeout !== undefined && !(timeout > 0))
      throw new ConfigError(`invalid --timeout: expected seconds > 0 (got "${String(flags.timeout)}")`);
    const code = await dispatchCommand(
      config,
      log,
      {
        agent,
        task,
        ...(typeof flags.context === 'string' ? { context: flags.context } : {}),
        ...(timeout !== undefined ? { timeoutSeconds: timeout } : {}),
      },
      controller.signal,
    );
    process.exit(controller.signal.aborted ? 130 : code);
  });

  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  // One clear line on stderr; a stack only for faults that are not the user's or the configuration's.
  const message =
    error instanceof BatonError ? error.message : (error instanceof Error && error.stack) || String(error);
  process.stderr.write(`baton: ${message}\n`);
  process.exit(1);
});
