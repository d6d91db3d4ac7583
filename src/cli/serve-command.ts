/**
 * `baton serve` (and plain `baton`): builds the shared parts once, serves MCP over stdio or HTTP, and stops on
 * SIGINT, SIGTERM or (over stdio) stdin closing: stop taking calls, close the transport, flush the store (SPEC §10).
 *
 * It serves while the store is still loading (`startBaton`): `initialize` and `tools/list` are answered at once,
 * the rest waits for the store (`mcp/ready-gate.ts`). A store that turns out unreadable stops the server as it
 * always did, with its one line on stderr and exit code 1, the files untouched; a client that was already
 * answered `initialize` gets that line as the error of each request it sent meanwhile, then the end of the stream.
 */
import { existsSync } from 'node:fs';
import { startBaton } from '../baton.js';
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
    // The store opens once the transport is up: its load (seconds at 1M tasks) does not compete with the start
    // for the CPU, and a transport that cannot start (a port in use) leaves the store unopened.
    let serving!: () => void;
    const up = new Promise<void>((resolve) => (serving = resolve));
    const hold = testHold();
    const baton = await startBaton(config, log, { watch: true, beforeStoreOpen: () => up.then(hold) });

    let transport: { close(): Promise<void> };
    /** Said once the store is open: an unreadable store's line stays the only one on stderr. */
    let announce: () => void;
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
      announce = () =>
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
      announce = () => log.info(`serving over stdio as ${config.as}`, { store: config.store });
    }
    serving();
    baton.ready.then(announce, () => undefined);

    // SPEC §10: a signal, or over stdio the client closing stdin, ends the server; so does an unreadable store.
    let reason: string;
    try {
      reason = await Promise.race([ended.then(() => 'stdin closed'), stopped(stop), baton.ready.then(() => never)]);
      // Ended while the store was still opening: an unreadable store is still reported as such (exit 1).
      await baton.ready;
    } catch (error) {
      await transport.close().catch(() => undefined);
      await baton.close().catch(() => undefined);
      throw error; // one line on stderr, exit 1 (cli.ts)
    }
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

const never = new Promise<string>(() => undefined);

/**
 * Tests: with BATON_TEST_HOLD_STORE=<file>, the store is opened only once that file exists, so that a test sees
 * the server answer while its store is "loading". Not a user setting (not in the help).
 */
function testHold(): () => Promise<void> {
  const gate = process.env.BATON_TEST_HOLD_STORE;
  return async () => {
    while (gate && !existsSync(gate)) await new Promise((resolve) => setTimeout(resolve, 20));
  };
}

/** Resolves with the signal's name once `signal` is aborted. */
function stopped(signal: AbortSignal): Promise<string> {
  if (signal.aborted) return Promise.resolve(String(signal.reason));
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(String(signal.reason)), { once: true }),
  );
}
