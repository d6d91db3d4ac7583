/**
 * A dispatch (SPEC §4 `subagent_dispatch`) is "delegate, then wait for the task": the task is created claimed by
 * this process and handed to its worker, and the call waits for the task to end over the change feed, the same
 * wait as `wait_for_tasks`. Whoever ends up running it (this process, or another after a takeover), the answer is
 * the task as stored.
 *
 * The fast path: the run starts on the task's plan and sends its first model request before its creation is
 * written (the next turn of the event loop), and acts on nothing the model says before that is done; the call
 * returns after the run's last write, whose fsync is the one on the critical path. Unless the caller is told of the
 * task at once (MCP Tasks), the creation has no fsync of its own: the run's next write makes it durable (a turn with
 * tool calls writes its spend before the tools run, so no tool acts on a task that is not on disk).
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentRegistry } from '../agents/registry.js';
import { InputError } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { RunProgressEvent } from '../events/events.js';
import { newId } from '../model/ids.js';
import type { Task } from '../model/task.js';
import type { CreateMessage } from '../providers/sampling.js';
import type { ClaimFor } from '../tasks/creation.js';
import type { DispatchInput } from '../tasks/dispatch-input.js';
import type { TaskService } from '../tasks/task-service.js';
import type { ModelContext } from './model-resolution.js';
import type { RootsSource, RunWorkspaces } from './run-workspaces.js';
import type { Samplers } from './samplers.js';
import type { Sessions } from './sessions.js';
import type { SpawnPolicy } from './spawn-policy.js';
import type { Worker } from './worker.js';

export interface DispatchOptions {
  /** The caller's own task when a subagent dispatches (its child's parent). */
  parentTaskId?: string;
  /** Aborting cancels the task (client cancellation). */
  signal?: AbortSignal;
  onProgress?: (event: RunProgressEvent) => void;
  /** Called when the run starts, with the task as planned (its id, say), before it is durable. */
  onStarted?: (task: Task) => void;
  /**
   * Called once the task is durable (MCP Tasks answers with it at once). Without it nobody is told of the task
   * before the dispatch answers, so its creation is written without a sync of its own and made durable by the
   * run's next write (the first tool turn's spend, or the answer): one fsync for a dispatch.
   */
  onCreated?: (task: Task) => void;
  /** The calling client's sampling, for agents that use it. */
  sampler?: CreateMessage;
  /** The calling client's roots (MCP roots/list), when it declared the capability: where workspace tools act. */
  roots?: RootsSource;
  /** The id for the new task (MCP Tasks). */
  taskId?: string;
  /**
   * Answer as soon as the run's answer is written, while its fsync runs (the outcome's `durable` settles once it is
   * on disk): only for a caller whose own answer waits for the store to be durable, as an MCP session's does
   * (`mcp/durable-answers.ts`). Otherwise the dispatch returns once the task's end is durable.
   */
  early?: boolean;
}

/** What a dispatch answers: the task as it ended, and the session to continue. */
export interface DispatchOutcome {
  task: Task;
  session_id: string;
  /**
   * An early answer (`DispatchOptions.early`): `durable` settles once the task's end is on disk (rejects if its
   * write fails: the answer must not be sent then), `told` once its change has also reached the feed.
   */
  durable?: Promise<unknown>;
  told?: Promise<unknown>;
}

export interface DispatcherParts {
  /** How the new task is claimed for this process (and its first attempt recorded, when it starts at once). */
  claimFor(agent: AgentDefinition, task: ModelContext, sessionId: string): Promise<ClaimFor | undefined>;
  tasks: TaskService;
  bus: EventBus;
  agents: AgentRegistry;
  worker: Worker;
  spawn: SpawnPolicy;
  sessions: Sessions;
  samplers: Samplers;
  workspaces: RunWorkspaces;
}

export class Dispatcher {
  constructor(private readonly parts: DispatcherParts) {}

  /** Runs `input.agent_id` on the task and waits for it to end. Throws `InputError` for a refused dispatch. */
  async dispatch(caller: string, input: DispatchInput, options: DispatchOptions = {}): Promise<DispatchOutcome> {
    const { tasks, bus, worker, samplers, workspaces } = this.parts;
    const agent = this.requireAgent(input.agent_id, caller);
    const parent = options.parentTaskId !== undefined ? await tasks.peek(options.parentTaskId) : undefined;
    await this.parts.spawn.check(parent, agent.id, input.task);
    const sessionId =
      input.session_id !== undefined
        ? await this.parts.sessions.forDispatch(caller, agent, input.session_id)
        : parent
          ? await this.parts.sessions.spawn(parent, agent, caller)
          : newId();
    if (options.sampler) samplers.set(sessionId, options.sampler);
    if (options.roots) workspaces.setSource(sessionId, options.roots);
    const id = options.taskId ?? newId();
    const unsubscribe = bus.subscribe('run.progress', (event) => {
      if (event.task_id === id) options.onProgress?.(event);
    });
    let created: Promise<Task> | null = null;
    const waiting = new AbortController();
    const onAbort = () =>
      void created
        ?.then(() => tasks.cancel(caller, { task_id: id, reason: 'cancelled by the client' }))
        .catch(() => undefined);
    try {
      const plannedAt = await tasks.headSeq();
      const claimFor = await this.parts.claimFor(
        agent,
        { parent_task_id: parent?.id ?? null, delegated_by: caller, session_id: sessionId },
        sessionId,
      );
      const plan = await tasks.plan(
        caller,
        {
          assignee_id: agent.id,
          description: input.task,
          ...(input.context !== undefined ? { payload: { context: input.context } } : {}),
          timeout_seconds: input.timeout_seconds ?? agent.timeout_seconds,
          max_retries: agent.max_retries,
          ...budgetOf(input, agent),
          ...(parent ? { parent_task_id: parent.id } : {}),
        },
        { kind: 'dispatch', id, session_id: sessionId, ...(claimFor ? { claimFor } : {}) },
      );
      // Listen before anything can end it; the wait ends only when the task does (a client's abort cancels it).
      const ended = tasks.awaitEnd([id], 'all', { signal: waiting.signal });
      // The run starts first and the creation is written in the next turn of the event loop: by then the run's
      // first model request is on the wire, so the write overlaps the model's latency instead of preceding it.
      created = nextTurn().then(() => tasks.create(plan, { durable: options.onCreated !== undefined }));
      options.onStarted?.(plan.task);
      // The run tells when its answer is written, in the next check phase: under load, other runs' model answers
      // go first, so that the store's next batch is ready when this one's fsync ends, and an early answer fills
      // that wait. `durable` is the store's for what it has applied then, the answer's write included: it settles
      // right after that fsync, before the change is told. (Wrapped: a promise resolved with one waits for it.)
      let answered!: (told: Promise<unknown>) => void;
      const written = new Promise<{ durable: Promise<unknown>; told: Promise<unknown> }>((resolve) => {
        answered = (told) => {
          const durable = options.early ? (tasks.whenDurable() ?? told) : told;
          durable.catch(() => undefined); // heard by whoever holds the answer on it
          setImmediate(() => resolve({ durable, told }));
        };
      });
      worker.adopt(plan.task, created, plannedAt, answered);
      void created.then(
        (task) => options.onCreated?.(task),
        () => undefined,
      );
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      // A creation that fails (a rule that changed meanwhile, the disk) ends the wait with its error.
      const failed = created.then(() => new Promise<never>(() => undefined));
      const endOf = ended.then(({ tasks: [task] }) => ({ task: task as Task }));
      // Answered early: the task as the answer left it, in memory while that write's fsync runs (ended some other
      // way first, say cancelled: as the wait hears it).
      const early = options.early
        ? written.then(async ({ durable, told }) => {
            const task = await tasks.peek(id);
            return task?.status === 'completed' ? { task, durable, told } : endOf;
          })
        : null;
      // An answer whose write fails (the disk; memory is read again) ends the wait with that error: the feed, which
      // restarts from what is on disk, would never tell of it.
      const lost = written.then(({ told }) => told.then(() => new Promise<never>(() => undefined)));
      const outcome = await Promise.race([endOf, failed, lost, ...(early ? [early] : [])]);
      await created;
      return { ...outcome, session_id: sessionId };
    } finally {
      waiting.abort(WAIT_OVER);
      unsubscribe();
      options.signal?.removeEventListener('abort', onAbort);
      if (!worker.isRunning(id)) {
        samplers.forget(sessionId);
        workspaces.forgetSession(sessionId);
      }
    }
  }

  private requireAgent(agentId: string, caller: string): AgentDefinition {
    const agent = this.parts.agents.get(agentId);
    if (!agent || agent.id === caller) {
      const known = this.parts.agents
        .list()
        .map((a) => a.id)
        .filter((id) => id !== caller);
      throw new InputError('unknown_agent', `unknown agent '${agentId}'; known: ${known.join(', ') || 'none'}`);
    }
    return agent;
  }
}

/** Why a dispatch's wait is let go once it returns: a constant, since abort() with no reason builds a DOMException. */
const WAIT_OVER = 'the dispatch returned';

/** Resolves in the check phase of the event loop, after the microtasks (and the I/O callbacks) queued before it. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The budgets a delegator gave, else its agent's (frontmatter `budget_tokens` / `budget_usd`). */
export function budgetOf(
  input: { budget_tokens?: number | undefined; budget_usd?: number | undefined },
  agent: AgentDefinition,
): { budget_tokens?: number; budget_usd?: number } {
  const tokens = input.budget_tokens ?? agent.budget_tokens;
  const usd = input.budget_usd ?? agent.budget_usd;
  return {
    ...(tokens !== undefined ? { budget_tokens: tokens } : {}),
    ...(usd !== undefined ? { budget_usd: usd } : {}),
  };
}
