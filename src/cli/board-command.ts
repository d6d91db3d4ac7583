/**
 * `baton board [--port N] [--open]`: the live task board on loopback over the configured store, for stdio setups
 * (SPEC §2, §12): every Baton process on the store (hosts' stdio servers, workers) shows up in it live. It runs no
 * subagent task itself. SIGINT or SIGTERM stops it.
 */
import { spawn } from 'node:child_process';
import { createBaton } from '../baton.js';
import { ConfigError, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { createLogger } from '../log.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';

/** The board's port unless --port says otherwise. */
export const BOARD_PORT = 4747;

export const boardCommand: CommandSpec = {
  name: 'board',
  summary: 'the live task board in a browser, on loopback, over the configured store',
  groups: ['store', 'config'],
  options: [
    { flags: '--port <n>', description: `the port on 127.0.0.1 (default ${BOARD_PORT}; 0 picks a free one)` },
    { flags: '--open', description: 'open the board in the default browser' },
    { flags: '--as <id>', description: 'the operator: actions on the board act as this agent (default host)' },
  ],
  async run(_args, flags, { stop }) {
    const port = portOf(flags.port);
    const config = loadConfig(flags);
    const log = createLogger(config.logLevel);
    // A viewer, not a worker: it takes no queued subagent task from the store.
    const baton = await createBaton(config, log, { takesQueued: false });
    let board: { url: string; close(): Promise<void> };
    try {
      const { startBoardHttp } = await import('../transports/board-http.js');
      board = await startBoardHttp(baton, { port, agentId: config.as });
    } catch (error) {
      await baton.close();
      throw error;
    }
    log.info(`task board on ${board.url}`, { store: config.store, as: config.as });
    if (flags.open === true) openBrowser(board.url, log);
    const reason = await new Promise<string>((resolve) => {
      if (stop.aborted) resolve(String(stop.reason));
      stop.addEventListener('abort', () => resolve(String(stop.reason)), { once: true });
    });
    log.info(`stopping the board (${reason})`);
    try {
      await board.close();
      await baton.close();
      return EXIT.ok;
    } catch (error) {
      log.error('error while stopping', { error: errorMessage(error) });
      return EXIT.failed;
    }
  },
};

function portOf(raw: unknown): number {
  if (raw === undefined) return BOARD_PORT;
  const port = Number(raw);
  if (!/^\d+$/.test(String(raw)) || port > 65535) {
    throw new ConfigError(`invalid --port: expected a port number from 0 to 65535 (got ${JSON.stringify(raw)})`);
  }
  return port;
}

/** The platform's "open this URL" command; a failure is a warning with the URL to open by hand. */
function openBrowser(url: string, log: Logger): void {
  const [command, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '', url]]
        : ['xdg-open', [url]];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.once('error', (error) => log.warn(`could not open a browser (${error.message}); open ${url}`));
  child.unref();
}
