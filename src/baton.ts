/**
 * Builds Baton's shared parts once: store, bus, task service, deadline timer, agents, providers, runtime (its
 * worker claims and runs subagent tasks) and the session registry. Transports make one MCP server per connection
 * over these parts; `baton worker` runs them with none.
 *
 * The store may take a while to open (a second or more at 100k tasks): `startBaton` returns once everything else
 * is built, with the store still loading, so that a server answers `initialize` and `tools/list` at once;
 * `ready` settles when the store is open and the parts that read it have started (its error, a `StoreError`, when
 * the store is unreadable: then nothing was written). `createBaton` waits for it.
 */
import os from 'node:os';
import path from 'node:path';
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
import { createModelResolver } from './providers/model-resolver.js';
import type { ModelResolver } from './providers/model-resolver.js';
import { createProviderRegistry } from './providers/registry.js';
import type { RetryPolicy } from './providers/retry.js';
import type { ProviderEnv } from './providers/types.js';
import { RunWorkspaces } from './runtime/run-workspaces.js';
import { Runtime } from './runtime/runtime.js';
import { warmUpOnce } from './runtime/warm-up.js';
import { AgentToolCatalog } from './runtime/tool-catalog.js';
import { OpeningStore } from './store/opening-store.js';
import { openStore } from './store/open-store.js';
import type { TaskStore } from './store/task-store.js';
import { DeadlineTimer } from './tasks/deadline-timer.js';
import { DependencyTracker } from './tasks/dependency-tracker.js';
import { TaskService } from './tasks/task-service.js';
import type { McpTimings } from './tools/mcp-client/connection.js';
import { McpServerPool } from './tools/mcp-client/pool.js';
import type { WorkspaceToolOptions } from './tools/workspace/index.js';
import { startUpDone } from './util/young-generation.js';

export interface Baton extends ServerDeps {
  bus: EventBus;
  store: TaskStore;
  /** Settles once the store is open and the deadline timer, dependency tracker and runtime have started. */
  ready: Promise<void>;
  /** The MCP servers subagents use (Baton as an MCP client). */
  mcp: McpServerPool;
  /**
   * Stops subagents (their tasks handed back to the store for another process), timers and watchers, and flushes
   * the store.
   */
  close(): Promise<void>;
}

export type BatonConfig = Pick<
  Config,
  'store' | 'defaultTimeout' | 'agents' | 'model' | 'maxConcurrency' | 'maxDepth' | 'maxPerSession' | 'tools'
> &
  Partial<
    Pick<
      Config,
      | 'bundledAgents'
      | 'permissions'
      | 'mcpServers'
      | 'models'
      | 'workspace'
      | 'leaseSeconds'
      | 'prices'
      | 'maxTokensPerRoot'
    >
  >;

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
  /** MCP client timings (tests shorten the restart backoff). */
  mcpTimings?: Partial<McpTimings>;
  /** Workspace tool options (tests shorten Bash's kill grace). */
  workspaceTools?: WorkspaceToolOptions;
  /** False: run only the subagent tasks this process creates, take none from the store. Default true. */
  takesQueued?: boolean;
  /** Tests: awaited before the store is opened (holds it "loading"). */
  beforeStoreOpen?: () => Promise<void>;
}

/** Builds the parts and opens the store; resolves once it is open and everything has started. */
export async function createBaton(config: BatonConfig, log: Logger, options: BatonOptions = {}): Promise<Baton> {
  const baton = await startBaton(config, log, options);
  try {
    await baton.ready;
  } catch (error) {
    await baton.close().catch(() => undefined);
    throw error;
  }
  return baton;
}

/**
 * Starts opening the store, loads the agents and wires the parts together; resolves before the store is open
 * (`ready`: see the file comment). A bad configuration or agent folder still throws here.
 */
export async function startBaton(config: BatonConfig, log: Logger, options: BatonOptions = {}): Promise<Baton> {
  const tools = resolveToolList(config.tools);
  const models: ModelResolver = createModelResolver({ map: config.models ?? {}, log });
  if (config.model !== null) models.resolve(config.model); // a bad --model stops start-up
  const cwd = options.cwd ?? process.cwd();
  const bus = new InMemoryEventBus(log);
  const hold = options.beforeStoreOpen ?? (() => Promise.resolve());
  const store = new OpeningStore(hold().then(() => openStore(config.store, { log })));
  const tasks = new TaskService({
    store,
    bus,
    defaultTimeoutSeconds: config.defaultTimeout,
    maxTokensPerRoot: config.maxTokensPerRoot ?? null,
    log,
  });
  const sessions = new SessionRegistry(bus, log);

  const agents = await openAgentRegistry({
    dirs: config.agents,
    cwd,
    home: options.home ?? os.homedir(),
    bundled: config.bundledAgents !== false,
    logger: log,
  });
  const watcher: AgentWatcher | null = options.watch ? await watchAgents(agents, { logger: log }) : null;

  const mcp = new McpServerPool({
    servers: config.mcpServers ?? {},
    log,
    ...(options.env ? { env: options.env } : {}),
    ...(options.mcpTimings ? { timings: options.mcpTimings } : {}),
  });
  const catalog = new AgentToolCatalog(new Set(config.permissions ?? []), mcp, log);
  catalog.logProblems(agents.list());
  const unwatchProblems = agents.onChange(() => catalog.logProblems(agents.list()));
  const workspaces = new RunWorkspaces({
    configured: (config.workspace ?? [cwd]).map((dir) => path.resolve(cwd, dir)),
    explicit: config.workspace != null,
    log,
    rootsFor: (agentId) => sessions.rootsFor(agentId),
  });

  const providers = createProviderRegistry({
    env: options.env ?? process.env,
    samplingFor: (sessionId) => runtime.samplers.forSession(sessionId),
    ...(options.retry ? { retry: options.retry } : {}),
    log,
  });
  const runtime: Runtime = new Runtime({
    tasks,
    store,
    bus,
    agents,
    providers,
    maxConcurrency: config.maxConcurrency,
    maxDepth: config.maxDepth,
    maxPerSession: config.maxPerSession,
    defaultModel: config.model,
    models,
    catalog,
    mcp,
    workspaces,
    ...(options.workspaceTools ? { workspaceTools: options.workspaceTools } : {}),
    log,
    samplerFor: (agentId) => sessions.samplerFor(agentId),
    ...(options.retryBaseMs !== undefined ? { retryBaseMs: options.retryBaseMs } : {}),
    leaseMs: (config.leaseSeconds ?? 30) * 1000,
    ...(options.takesQueued === false ? { takesQueued: false } : {}),
    ...(config.prices ? { prices: config.prices } : {}),
  });

  const deadlines = new DeadlineTimer(tasks, bus, log);
  const dependencies = new DependencyTracker(tasks, bus, log);
  const ready = (async () => {
    await store.opened;
    await tasks.start();
    await deadlines.start(); // overdue tasks from before a restart time out now (SPEC §5)
    await dependencies.start(); // dependencies that ended while Baton was down move their dependants on now
    runtime.start(); // claims subagent tasks nobody holds: waiting ones, and those of processes that died
  })();
  ready.catch(() => undefined); // heard by whoever awaits `ready`
  void ready.finally(startUpDone).catch(() => undefined);
  return {
    ready,
    bus,
    store,
    tasks,
    sessions,
    runtime,
    agents,
    providers,
    defaultModel: config.model,
    models,
    catalog,
    mcp,
    tools,
    log,
    warmUp: warmUpOnce({ agents, models, providers, defaultModel: config.model }),
    async close() {
      unwatchProblems();
      await runtime.stop();
      await mcp.close();
      await watcher?.close();
      deadlines.stop();
      dependencies.stop();
      sessions.close();
      tasks.stop();
      await store.close();
    },
  };
}
