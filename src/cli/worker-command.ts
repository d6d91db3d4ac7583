/**
 * `baton worker`: a Baton process with no MCP client that claims and runs the subagent tasks of a store: queued
 * ones, and those whose process stopped (SPEC §2, §5), under the same limits as a server. Progress and logs go to
 * stderr. SIGINT or SIGTERM stops it: its runs are aborted and their tasks handed back to the store, so that
 * another process picks them up at once. Run it beside stdio hosts, so that background delegations outlive the
 * host's session.
 */
import { createBaton } from '../baton.js';
import { errorMessage } from '../errors.js';
import { createLogger } from '../log.js';
import type { CommandSpec } from './command.js';
import { EXIT } from './command.js';
import { loadConfig } from './load-config.js';

export const workerCommand: CommandSpec = {
  name: 'worker',
  summary: 'run the queued and orphaned subagent tasks of a store, no MCP client needed',
  groups: ['agents', 'store', 'runtime', 'config'],
  async run(_args, flags, { stop }) {
    const config = loadConfig(flags);
    const log = createLogger(config.logLevel);
    const baton = await createBaton(config, log, { watch: true });
    const { runner } = baton.runtime.worker;
    const unsubscribe = baton.bus.subscribe('run.progress', (event) => {
      log.info(`task ${event.task_id}: ${event.message}`);
    });
    log.info(`worker ${runner} on ${config.store}`, {
      agents: baton.agents.list().length,
      max_concurrency: config.maxConcurrency,
      lease_seconds: config.leaseSeconds,
    });
    const reason = await new Promise<string>((resolve) => {
      if (stop.aborted) resolve(String(stop.reason));
      stop.addEventListener('abort', () => resolve(String(stop.reason)), { once: true });
    });
    log.info(`stopping (${reason}): handing running tasks back to the store`);
    unsubscribe();
    try {
      await baton.close();
      return EXIT.ok;
    } catch (error) {
      log.error('error while stopping', { error: errorMessage(error) });
      return EXIT.failed;
    }
  },
};
