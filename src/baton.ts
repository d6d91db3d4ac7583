/**
 * Builds Baton's shared parts once: store, bus, task service, deadline timer, agents, providers, runtime and
 * the session registry. Transports make one MCP server per connection over these parts.
 */
import os from 'node:os';
import { openAgentRegistry } from './agents/registry.js';
import { watchAgents } from './agents/watcher.js';
import type { AgentWatcher } from './agents/watcher.js';
import type { Config } from './config.js';
import { InMemoryEventBus } from './events/in-memory-event-bus.js';
import type { EventBus } from './events/event-bus.js';
import type { Logger } from './log.js';
import type { ServerDeps } from './mcp/server.js';
import { resolveToolList } from './mcp/server.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { parseModelSpec } from './providers/model-spec.js';
import { createProviderRegistry } from './providers/registry.js';
import type { RetryPolicy } from './providers/retry.js';
import type { ProviderEnv } from './providers/types.js';
import { SubagentRuntime } from './runtime/subagent-runtime.js';
import { LowdbTaskStore } from './store/lowdb-task-store.js';
import { DeadlineTimer } from './tasks/deadline-timer.js';
import { DependencyTracker } from './tasks/dependency-tracker.js';
import { TaskService } from './tasks/task-service.js';

export interface Baton extends ServerDeps {
  bus: EventBus;
  store: LowdbTaskStore;
  /** Stops subagents (their tasks wait for the next start), timers and watchers, and flushes the store. */
  close(): Promise<void>;
}

export type BatonConfig = Pick<
  Config,
  'store' | 'defaultTimeout' | 'agents' | 'model' | 'maxConcurrency' | 'maxDepth' | 'maxPerSession' | 'tools'
> &
  Partial<Pick<Config, 'bundledAgents'>>;

export interface BatonOptions {
  /** Where providers read keys and base URLs. Default `process.env`. */
  env?: ProviderEnv;
  cwd?: string;
  home?: string;
  /** Watch the agent folders and reload on change (the server does; one-shot commands do not). */
  watch?: boolean;
  /** Provider retry policy (tests shorten it). */
  retry?: Partial<RetryPolicy>;
  /** First delay between attempts of a failed subagent run. */
  retryBaseMs?: number;
}

/** Opens the store (throwing `StoreError` if it is unreadable), loads the agents and wires the parts together. */
export async function createBaton(config: BatonConfig, log: Logger, options: BatonOptions = {}): Promise<Baton> {
  const tools = resolveToolList(config.tools);
  if (config.model !== null) parseModelSpec(config.model); // a bad --model stops start-up
  const bus = new InMemoryEventBus(log);
  const store = await LowdbTaskStore.open({ path: config.store, log });
  const tasks = new TaskService({ store, bus, defaultTimeoutSeconds: config.defaultTimeout });
  const sessions = new SessionRegistry(bus, log);

  const agents = await openAgentRegistry({
    dirs: config.agents,
    cwd: options.cwd ?? process.cwd(),
    home: options.home ?? os.homedir(),
    bundled: config.bundledAgents !== false,
    logger: log,
  });
  const watcher: AgentWatcher | null = options.watch ? await watchAgents(agents, { logger: log }) : null;

  const providers = createProviderRegistry({
    env: options.env ?? process.env,
    samplingFor: (sessionId) => runtime.samplerForSession(sessionId),
    ...(options.retry ? { retry: options.retry } : {}),
    log,
  });
  const runtime: SubagentRuntime = new SubagentRuntime({
    tasks,
    store,
    bus,
    agents,
    providers,
    maxConcurrency: config.maxConcurrency,
    maxDepth: config.maxDepth,
    maxPerSession: config.maxPerSession,
    defaultModel: config.model,
    log,
    samplerFor: (agentId) => sessions.samplerFor(agentId),
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
  });

  const deadlines = new DeadlineTimer(tasks, bus, log);
  deadlines.start(); // overdue tasks from before a restart time out now (SPEC §5)
  const dependencies = new DependencyTracker(tasks, bus, log);
  dependencies.start(); // dependencies that ended while Baton was down move their dependants on now
  runtime.start(); // picks up waiting subagent tasks, recovers interrupted runs
  return {
    bus,
    store,
    tasks,
    sessions,
    runtime,
    agents,
    providers,
    defaultModel: config.model,
    tools,
    log,
    async close() {
      await runtime.stop();
      await watcher?.close();
      deadlines.stop();
      dependencies.stop();
      sessions.close();
      await store.close();
    },
  };
}
