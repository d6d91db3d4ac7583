/**
 * The subagent runtime of one process, put together once: the worker (claims and runs), the dispatcher (dispatch =
 * delegate + wait), merge, spawn policy, model resolution, sessions and notes. What MCP sessions and subagents
 * call goes through `operations()` / the runs' own operation contexts, so both act by the same rules.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { newId } from '../model/ids.js';
import type { Task } from '../model/task.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CreateMessage } from '../providers/sampling.js';
import type { TaskStore } from '../store/task-store.js';
import type { DispatchInput } from '../tasks/dispatch-input.js';
import type { ClaimFor } from '../tasks/creation.js';
import type { DelegateInput, MergeInput } from '../tasks/inputs.js';
import type { MergeOutput } from '../tasks/operations/merge.js';
import type { OperationContext } from '../tasks/operations/operation.js';
import type { TaskService } from '../tasks/task-service.js';
import type { McpServerPool } from '../tools/mcp-client/pool.js';
import { DEFAULT_PRICES } from '../usage/prices.js';
import type { Prices } from '../usage/prices.js';
import type { WorkspaceToolOptions } from '../tools/workspace/index.js';
import { Dispatcher, budgetOf } from './dispatcher.js';
import type { DispatchOptions, DispatchOutcome } from './dispatcher.js';
import { Merger } from './merge.js';
import type { MergeCall } from './merge.js';
import { ModelResolution } from './model-resolution.js';
import type { ModelContext } from './model-resolution.js';
import { Notes } from './notes.js';
import { runTask } from './run.js';
import type { RunDeps } from './run-deps.js';
import type { RunWorkspaces } from './run-workspaces.js';
import { Samplers } from './samplers.js';
import { Scheduler } from './scheduler.js';
import { Sessions } from './sessions.js';
import { SpawnPolicy } from './spawn-policy.js';
import type { AgentToolCatalog } from './tool-catalog.js';
import { Worker } from './worker.js';

export interface RuntimeOptions {
  tasks: TaskService;
  store: TaskStore;
  bus: EventBus;
  agents: AgentRegistry;
  providers: ProviderRegistry;
  maxConcurrency: number;
  maxDepth: number;
  maxPerSession: number;
  /** `--model`: for agents whose definition names none. */
  defaultModel: string | null;
  /** What `model:` means: aliases, the config's `models` map. */
  models: ModelResolver;
  catalog: AgentToolCatalog;
  mcp: McpServerPool;
  workspaces: RunWorkspaces;
  workspaceTools?: WorkspaceToolOptions;
  log: Logger;
  /** The sampling function of a connected client of `agentId`, for background tasks that use sampling. */
  samplerFor?: (agentId: string) => CreateMessage | undefined;
  /** First delay between attempts of a failed run; doubles each time. Default 1000 ms. */
  retryBaseMs?: number;
  /** How long a claim lasts unless renewed (`--lease-seconds`). */
  leaseMs: number;
  /** False: run only the tasks this process creates (a one-shot `baton dispatch`). Default true. */
  takesQueued?: boolean;
  /** The price table (`prices` over the shipped defaults). Default `DEFAULT_PRICES`. */
  prices?: Readonly<Prices>;
}

export class Runtime {
  readonly scheduler: Scheduler;
  readonly samplers: Samplers;
  readonly worker: Worker;
  private readonly dispatcher: Dispatcher;
  private readonly merger: Merger;
  private readonly spawn: SpawnPolicy;
  private readonly sessions: Sessions;
  private readonly resolution: ModelResolution;

  constructor(private readonly options: RuntimeOptions) {
    const { tasks, store, agents, log } = options;
    this.scheduler = new Scheduler(options.maxConcurrency);
    this.samplers = new Samplers(options.samplerFor);
    const notes = new Notes(store);
    this.sessions = new Sessions(store, notes);
    this.spawn = new SpawnPolicy(tasks, store, agents, options);
    const resolution = new ModelResolution(options.models, options.defaultModel, this.samplers, (id) => tasks.peek(id));
    const deps: RunDeps = {
      ...options,
      scheduler: this.scheduler,
      resolution,
      sessions: this.sessions,
      notes,
      samplers: this.samplers,
      retryBaseMs: options.retryBaseMs ?? 1000,
      prices: options.prices ?? DEFAULT_PRICES,
      operationsFor: (agent, task, claim, sessionId) => ({
        caller: agent.id,
        tasks,
        fence: claim,
        delegate: (input) => this.delegate(agent.id, { ...input, parent_task_id: task.id }, { spawnedBy: task }),
        dispatch: (input, call) => {
          const sampler = this.samplers.forSession(sessionId);
          return this.dispatch(agent.id, input, {
            parentTaskId: task.id,
            ...(call.signal ? { signal: call.signal } : {}),
            ...(sampler ? { sampler } : {}),
          });
        },
        merge: (input, call) => this.merge(agent.id, input, { parentTaskId: task.id, ...signalOf(call) }),
      }),
    };
    this.worker = new Worker({
      store,
      tasks,
      bus: options.bus,
      agents,
      scheduler: this.scheduler,
      maxConcurrency: options.maxConcurrency,
      leaseMs: options.leaseMs,
      log,
      canRun: (agent, task) => resolution.canRun(agent, task),
      execute: (run) => runTask(deps, run),
      ...(options.takesQueued === false ? { takesQueued: false } : {}),
    });
    this.resolution = resolution;
    this.dispatcher = new Dispatcher({
      claimFor: (agent, task, sessionId) => this.claimFor(agent, task, sessionId),
      tasks,
      bus: options.bus,
      agents,
      worker: this.worker,
      spawn: this.spawn,
      sessions: this.sessions,
      samplers: this.samplers,
      workspaces: options.workspaces,
    });
    this.merger = new Merger(tasks, (caller, input, call) => this.dispatch(caller, input, call));
  }

  /** Starts taking work: tasks waiting in the store, and whatever becomes runnable. */
  start(): void {
    this.worker.start();
  }

  /** Stops every run here and hands its task back to the store for another process (SPEC §5). */
  stop(): Promise<void> {
    return this.worker.stop();
  }

  dispatch(caller: string, input: DispatchInput, options: DispatchOptions = {}): Promise<DispatchOutcome> {
    return this.dispatcher.dispatch(caller, input, options);
  }

  merge(caller: string, input: MergeInput, call: MergeCall = {}): Promise<MergeOutput> {
    return this.merger.merge(caller, input, call);
  }

  /**
   * Creates a task. For a defined agent it takes the agent's own timeout and retries unless the delegator set
   * them, a session of its own, and is claimed by this process to run in the background. A subagent's child
   * (`spawnedBy` its task) is held to the spawn policy and gets its session by the child's memory scope.
   */
  async delegate(caller: string, input: DelegateInput, options: { spawnedBy?: Task } = {}): Promise<Task> {
    const agent = this.options.agents.get(input.assignee_id);
    if (options.spawnedBy) await this.spawn.check(options.spawnedBy, input.assignee_id, input.description);
    const session_id = agent
      ? options.spawnedBy
        ? await this.sessions.spawn(options.spawnedBy, agent, caller)
        : newId()
      : null;
    const full: DelegateInput = agent
      ? {
          ...input,
          ...(input.timeout_seconds === undefined && agent.timeout_seconds !== undefined
            ? { timeout_seconds: agent.timeout_seconds }
            : {}),
          ...(input.max_retries === undefined ? { max_retries: agent.max_retries } : {}),
          ...budgetOf(input, agent),
        }
      : input;
    const claimFor =
      agent && session_id !== null
        ? await this.claimFor(
            agent,
            { parent_task_id: input.parent_task_id ?? null, delegated_by: caller, session_id },
            session_id,
          )
        : undefined;
    const task = await this.options.tasks.delegate(caller, full, { session_id, ...(claimFor ? { claimFor } : {}) });
    this.worker.adopt(task);
    return task;
  }

  /**
   * How a task created here for `agent` is claimed: by this process, and when its run can start at once on a model
   * this process reaches, with its first attempt recorded in the same write.
   */
  private async claimFor(agent: AgentDefinition, task: ModelContext, sessionId: string): Promise<ClaimFor | undefined> {
    const claim = this.worker.claimFor();
    if (!claim || !this.worker.startsAtOnce()) return claim;
    try {
      const resolved = await this.resolution.resolve(agent, task, sessionId);
      const affinity = resolved.provider === 'sampling' ? claim.runner : null;
      return { ...claim, firstAttempt: { model: resolved.spec, affinity } };
    } catch {
      return claim; // no model to reach: the run says so when it starts
    }
  }

  /** The operations as an MCP session acting for `caller` calls them. */
  operations(caller: string, client: { sampler?: () => CreateMessage | undefined } = {}): OperationContext {
    return {
      caller,
      tasks: this.options.tasks,
      delegate: (input) => this.delegate(caller, input),
      dispatch: (input, call) => {
        const sampler = client.sampler?.();
        return this.dispatch(caller, input, { ...signalOf(call), ...(sampler ? { sampler } : {}) });
      },
      merge: (input, call) => this.merge(caller, input, signalOf(call)),
    };
  }
}

function signalOf(call: { signal?: AbortSignal }): { signal?: AbortSignal } {
  return call.signal ? { signal: call.signal } : {};
}
