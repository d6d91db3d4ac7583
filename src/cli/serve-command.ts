/**
 * `baton serve` (and plain `baton`): builds the shared parts once, serves MCP over stdio or HTTP, and stops on
 * SIGINT, SIGTERM or (over stdio) stdin closing: stop taking calls, close the transport, flush the store (SPEC §10).
 */
import { createBaton } from '../baton.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import { loadConfig, loadTokens } from './load-config.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  summary: 'serve MCP (stdio unless --http); the default command',
  groups: ['serve', 'agents', 'store', 'runtime', 'config'],
  async run(_args, flags, { stop }) {
    const config = loadConfig(flags);
    const tokens = loadTokens(config);
    const log = createLogger(config.logLevel);
    const baton = await createBaton(config, log, { watch: true });

    let transport: { close(): Promise<void> };
    let ended: Promise<void> = new Promise(() => undefined);
    if (config.transport === 'http' && config.http) {
      // Loaded only when asked for: express stays out of stdio start-up.
      const { startHttp } = await import('../transports/http.js');
      const http = await startHttp(baton, {
        ...config.http,
        agentId: config.as,
        tokens,
        adminToken: config.adminToken,
        maxSessions: config.maxSessions,
        sessionIdleMs: config.sessionIdleTimeout * 1000,
      });
      transport = http;
      log.info(
        `listening on ${http.url}/mcp (Streamable HTTP), ${http.url}/sse (legacy SSE), ${http.url}/ (task board)`,
        {
          auth: tokens ? `${tokens.size} token(s)` : `none, acting as ${config.as}`,
          store: config.store,
        },
      );
    } else {
      const { startStdio } = await import('../transports/stdio.js');
      const stdio = await startStdio(baton, config.as);
      transport = stdio;
      ended = stdio.ended;
      log.info(`serving over stdio as ${config.as}`, { store: config.store });
    }

    // SPEC §10: a signal, or over stdio the client closing stdin, ends the server.
    const reason = await Promise.race([ended.then(() => 'stdin closed'), stopped(stop)]);
    log.info(`shutting down (${reason})`);
    try {
      await transport.close();
      await baton.close();
      return EXIT.ok;
    } catch (error) {
      log.error('error while shutting down', { error: errorMessage(error) });
      return EXIT.failed;
    }
  },
};

/** Resolves with the signal's name once `signal` is aborted. */
function stopped(signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.resolve(String(signal.reason));
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }),
  );
}
