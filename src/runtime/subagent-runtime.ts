/**
 * Runs defined agents on their tasks (SPEC §4, §5, §8), over the event bus as the dispatch seed does:
 * a task assigned to a defined agent is announced as `dispatch.requested`; this worker runs the agent (under the
 * scheduler's concurrency limit) and publishes `dispatch.result`; a dispatcher awaits the result for its session.
 *
 * A run ends its task: with the agent's `complete_task` / `fail_task`, or its plain final answer, or a failure.
 * When the task ends any other way (cancelled, timed out) the run is aborted, in-flight HTTP request included.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { AgentDefinition } from '../agents/definition.js';
import type { AgentRegistry } from '../agents/registry.js';
import { CancelledError, ConfigError, InputError, errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { DispatchProgressEvent, DispatchResultEvent } from '../events/events.js';
import type { Logger } from '../log.js';
import { formatModel } from '../providers/model-spec.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { CreateMessage } from '../providers/sampling.js';
import type { ChatMessage, ProviderName } from '../providers/types.js';
import { isTerminal } from '../store/records.js';
import type { InboxItem, Task } from '../store/records.js';
import type { TaskStore } from '../store/task-store.js';
import type { MergeInput } from '../tasks/inputs.js';
import { checkJsonSize, checkJsonValue } from '../tasks/json-value.js';
import type { TaskService } from '../tasks/task-service.js';
import { runAgentLoop } from './agent-loop.js';
import type { LoopStep } from './agent-loop.js';
import { buildAgentTools } from './agent-tools.js';
import type { DispatchInput } from './dispatch-input.js';
import { concat, hierarchicalSummary, passThrough, resultText, vote } from './merge-strategies.js';
import type { Missing } from './merge-strategies.js';
import { Notes } from './notes.js';
import type { RootsSource, RunWorkspaces } from './run-workspaces.js';
import { Scheduler } from './scheduler.js';
import type { AgentToolCatalog } from './tool-catalog.js';
import type { McpServerPool } from '../tools/mcp-client/pool.js';
import type { WorkspaceToolOptions } from '../tools/workspace/index.js';

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
  /** The tools each agent may have (permissions, MCP servers). */
  catalog: AgentToolCatalog;
  /** The MCP servers, shared by every run. */
  mcp: McpServerPool;
  /** Where each run's workspace tools act. */
  workspaces: RunWorkspaces;
  workspaceTools?: WorkspaceToolOptions;
  log: Logger;
  /** The sampling function of a connected client of `agentId`, for background tasks that use sampling. */
  samplerFor?: (agentId: string) => CreateMessage | undefined;
  /** First delay between attempts of a failed run; doubles each time. Default 1000 ms. */
  retryBaseMs?: number;
}

export interface DispatchOptions {
  /** The caller's own task when a subagent dispatches (its child's parent). */
  parentTaskId?: string;
  /** Aborting cancels the task (client cancellation). */
  signal?: AbortSignal;
  onProgress?: (event: DispatchProgressEvent) => void;
  /** Called once the task exists, before the run starts. */
  onCreated?: (task: Task) => void;
  /** The calling client's sampling, for agents that use it. */
  sampler?: CreateMessage;
  /** The calling client's roots (MCP roots/list), when it declared the capability: where workspace tools act. */
  roots?: RootsSource;
  /** A reserved id for the new task (MCP Tasks). */
  taskId?: string;
}

/** What a dispatch answers. */
export interface DispatchOutcome {
  task: Task;
  session_id: string;
  status: Task['status'];
  result: string | null;
  error: string | null;
}

interface Run {
  controller: AbortController;
  done: Promise<void>;
}

export class SubagentRuntime {
  readonly scheduler: Scheduler;
  readonly notes: Notes;
  /** This process, as recorded in the tasks it runs. */
  readonly instance = `${os.hostname()}:${process.pid}`;
  private readonly runs = new Map<string, Run>();
  /** Sampling functions by session id: a dispatch's caller, inherited by nested dispatches. */
  private readonly samplers = new Map<string, CreateMessage>();
  /** Resolved model of each running task, for children with `model: inherit`. */
  private readonly models = new Map<string, string>();
  private unsubscribes: Array<() => void> = [];
  private stopping = false;

  constructor(private readonly options: RuntimeOptions) {
    this.scheduler = new Scheduler(options.maxConcurrency);
    this.notes = new Notes(options.store);
  }

  /** Starts working: picks up new tasks for defined agents and recovers runs cut off by a restart. */
  start(): void {
    const { bus } = this.options;
    this.unsubscribes = [
      bus.subscribe('task.updated', ({ task, origin }) => {
        // A task that ended some other way stops its run (cancel, deadline).
        if (isTerminal(task.status))
          this.runs.get(task.id)?.controller.abort(new CancelledError(`task ${task.status}`));
        else if (origin === 'local' && this.isNew(task)) this.announce(task);
      }),
      bus.subscribe('dispatch.requested', ({ task_id, session_id }) => this.work(task_id, session_id)),
    ];
    this.recover();
  }

  /** Aborts running subagents, leaving their tasks for the next start to retry or fail (SPEC §5). */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const unsubscribe of this.unsubscribes) unsubscribe();
    for (const run of this.runs.values()) run.controller.abort(new CancelledError('Baton is shutting down'));
    await Promise.allSettled([...this.runs.values()].map((r) => r.done));
  }

  /**
   * The seed's dispatch: creates a task for `input.agent_id`, waits for the `dispatch.result` of its session and
   * returns it. Throws `InputError` for an unknown agent or a refused spawn.
   */
  async dispatch(caller: string, input: DispatchInput, options: DispatchOptions = {}): Promise<DispatchOutcome> {
    const { tasks, bus } = this.options;
    const agent = this.requireAgent(input.agent_id, caller);
    let parent: Task | undefined;
    if (options.parentTaskId !== undefined) {
      parent = tasks.peek(options.parentTaskId);
      this.checkSpawn(parent, agent.id, input.task);
    }
    const sessionId =
      input.session_id !== undefined
        ? this.sessionFor(caller, agent, input.session_id)
        : parent
          ? await this.spawnSession(parent, agent, caller)
          : randomUUID();
    if (options.sampler) this.samplers.set(sessionId, options.sampler);
    if (options.roots) this.options.workspaces.setSource(sessionId, options.roots);

    let resolveResult!: (event: DispatchResultEvent) => void;
    const result = new Promise<DispatchResultEvent>((resolve) => (resolveResult = resolve));
    let taskId: string | null = null;
    const unsubscribeResult = bus.subscribe('dispatch.result', (event) => {
      if (event.session_id === sessionId && event.task_id === taskId) resolveResult(event);
    });
    const unsubscribeProgress = bus.subscribe('dispatch.progress', (event) => {
      if (event.task_id === taskId) options.onProgress?.(event);
    });
    const onAbort = () => {
      if (taskId !== null) {
        tasks.cancel(caller, { task_id: taskId, reason: 'cancelled by the client' }).catch(() => undefined);
      }
    };
    try {
      const task = await tasks.delegate(
        caller,
        {
          assignee_id: agent.id,
          description: input.task,
          ...(input.context !== undefined ? { payload: { context: input.context } } : {}),
          timeout_seconds: input.timeout_seconds ?? agent.timeout_seconds,
          max_retries: agent.max_retries,
          ...(parent ? { parent_task_id: parent.id } : {}),
        },
        {
          kind: 'dispatch',
          session_id: sessionId,
          runner: this.instance,
          // The call returns only after the run's last (durable) write, which covers this one.
          durable: false,
          ...(options.taskId ? { id: options.taskId } : {}),
        },
      );
      taskId = task.id;
      options.onCreated?.(task);
      // The seed's dispatch event: the worker subscribed to it runs the agent.
      bus.publish({ type: 'dispatch.requested', task_id: task.id, session_id: sessionId });
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.signal?.aborted) onAbort();
      // The task may have ended before we knew its id (a very fast run): then the store has the answer.
      const early = this.finished(task.id, sessionId);
      const event = early ?? (await result);
      const final = tasks.peek(task.id) ?? task;
      return {
        task: final,
        session_id: sessionId,
        status: event.status,
        result: event.result ?? null,
        error: event.error ?? null,
      };
    } finally {
      unsubscribeResult();
      unsubscribeProgress();
      options.signal?.removeEventListener('abort', onAbort);
      if (taskId === null || !this.runs.has(taskId)) {
        this.samplers.delete(sessionId);
        this.options.workspaces.forgetSession(sessionId);
      }
    }
  }

  /** The sampling function a run of this session uses (the provider registry asks for it). */
  samplerForSession(sessionId: string): CreateMessage | undefined {
    return this.samplers.get(sessionId);
  }

  /** A delegation to a defined agent takes the agent's own timeout and retries unless the delegator set them. */
  withAgentDefaults<T extends { assignee_id: string; timeout_seconds?: number; max_retries?: number }>(input: T): T {
    const agent = this.options.agents.get(input.assignee_id);
    if (!agent) return input;
    return {
      ...input,
      ...(input.timeout_seconds === undefined && agent.timeout_seconds !== undefined
        ? { timeout_seconds: agent.timeout_seconds }
        : {}),
      ...(input.max_retries === undefined ? { max_retries: agent.max_retries } : {}),
    };
  }

  /** The session of a child of `parent`'s run, with notes by the child's memory scope (fixed now, at spawn). */
  async spawnSession(parent: Task, child: AgentDefinition, owner: string): Promise<string> {
    return this.notes.spawn(parent.session_id, { agentId: child.id, owner, scope: child.memory_scope });
  }

  /**
   * merge (SPEC §4): the caller's tasks by ids or group, merged by `strategy`. Tasks that did not complete are
   * listed under `missing`; `llm_summary` runs a defined agent (default summarizer), recorded as its own task.
   */
  async merge(caller: string, input: MergeInput, options: { parentTaskId?: string; signal?: AbortSignal } = {}) {
    const tasks = await this.options.tasks.select(caller, input, true);
    const done = tasks.filter((t) => t.status === 'completed');
    const missing: Missing[] = tasks
      .filter((t) => t.status !== 'completed')
      .map((t) => ({ task_id: t.id, status: t.status, error: t.error }));
    const opts = input.options ?? {};
    const base = { strategy: input.strategy, task_ids: tasks.map((t) => t.id), missing };
    const merged = await this.mergeBy(input.strategy, done, opts, caller, options);
    // SPEC §10: what a merge produces is a result like any other, held to the same limits.
    checkJsonSize(merged, 'the merged result');
    return { ...base, ...merged };
  }

  private async mergeBy(
    strategy: string,
    done: Task[],
    opts: NonNullable<MergeInput['options']>,
    caller: string,
    options: { parentTaskId?: string; signal?: AbortSignal },
  ) {
    switch (strategy) {
      case 'concat':
        return concat(done, opts);
      case 'hierarchical_summary':
        return hierarchicalSummary(done);
      case 'voting':
        return vote(done, opts);
      case 'llm_summary': {
        if (done.length === 0)
          throw new InputError('nothing_to_merge', 'llm_summary: none of the tasks completed; see missing');
        const context = done
          .map((t) => `[${t.id}] (${t.assignee_id}: ${t.description})\n${resultText(t.result)}`)
          .join('\n\n');
        checkJsonValue(context, 'llm_summary: the results given to the summarizer');
        const outcome = await this.dispatch(
          caller,
          {
            agent_id: opts.agent ?? 'summarizer',
            task: opts.instructions ?? `Merge these ${done.length} results into one answer.`,
            context,
          },
          {
            ...(options.parentTaskId ? { parentTaskId: options.parentTaskId } : {}),
            ...(options.signal ? { signal: options.signal } : {}),
          },
        );
        if (outcome.status !== 'completed') {
          throw new InputError(
            'summary_failed',
            `llm_summary: ${outcome.task.assignee_id} ${outcome.status}: ${outcome.error ?? ''}`,
          );
        }
        return { summary: outcome.result ?? '', summary_task_id: outcome.task.id, source_count: done.length };
      }
      default:
        return passThrough(done);
    }
  }

  /** Refuses a child task that would pass the depth limit or the session quota, or loop back to an ancestor. */
  checkSpawn(parent: Task | undefined, agentId: string, description: string): void {
    if (!parent) return;
    const { maxDepth, maxPerSession, tasks } = this.options;
    if (parent.depth + 1 > maxDepth) {
      throw new InputError(
        'depth_limit',
        `depth limit: subagents nest at most ${maxDepth} deep (--max-depth) and this one is at depth ${parent.depth}; do the work yourself`,
      );
    }
    let live = 0;
    for (const task of tasks.live()) {
      if (task.root_task_id === parent.root_task_id && this.options.agents.get(task.assignee_id)) live++;
    }
    if (live + 1 > maxPerSession) {
      throw new InputError(
        'quota',
        `quota: at most ${maxPerSession} live subagent tasks under one root session (--max-per-session); wait for some to finish`,
      );
    }
    for (let at: Task | undefined = parent; at; at = at.parent_task_id ? tasks.peek(at.parent_task_id) : undefined) {
      if (at.assignee_id === agentId && at.description.trim() === description.trim()) {
        throw new InputError(
          'loop',
          `loop: ${agentId} is already working on this same task higher up (task ${at.id}); refusing to dispatch it again`,
        );
      }
    }
  }

  // ---- picking up work -----------------------------------------------------------------------------------

  private isNew(task: Task): boolean {
    return (
      task.status === 'in_progress' &&
      task.runner === null &&
      task.attempts === 0 &&
      !this.runs.has(task.id) &&
      this.options.agents.get(task.assignee_id) !== undefined
    );
  }

  private announce(task: Task): void {
    this.options.bus.publish({
      type: 'dispatch.requested',
      task_id: task.id,
      session_id: task.session_id ?? randomUUID(),
    });
  }

  /** At start: runs cut off by a dead process are retried while attempts remain, else failed (SPEC §5). */
  private recover(): void {
    const { tasks, log } = this.options;
    for (const task of [...tasks.live()]) {
      const agent = this.options.agents.get(task.assignee_id);
      if (!agent || task.status !== 'in_progress') continue;
      if (task.runner === null) {
        if (task.attempts === 0) this.announce(task);
        continue;
      }
      if (task.runner === this.instance || isAlive(task.runner)) continue;
      if (task.attempts <= task.max_retries) {
        log.info('retrying a subagent task interrupted by a restart', { task_id: task.id, agent: agent.id });
        void tasks.amend(task.id, { runner: null }).then((t) => t && this.work(t.id, t.session_id ?? randomUUID()));
      } else {
        void tasks.fail(task.assignee_id, { task_id: task.id, error: 'interrupted by restart' }).catch(() => undefined);
      }
    }
  }

  // ---- running -------------------------------------------------------------------------------------------

  private work(taskId: string, sessionId: string): void {
    if (this.stopping || this.runs.has(taskId)) return;
    const controller = new AbortController();
    const run: Run = { controller, done: Promise.resolve() };
    this.runs.set(taskId, run);
    run.done = this.execute(taskId, sessionId, controller.signal)
      .catch((error: unknown) =>
        this.options.log.error('subagent run failed', { task_id: taskId, error: errorMessage(error) }),
      )
      .finally(() => {
        this.runs.delete(taskId);
        this.models.delete(taskId);
        // The sampler holds its client's connection: keep it no longer than the run.
        this.samplers.delete(sessionId);
        this.options.workspaces.forgetSession(sessionId);
        this.options.workspaces.release(taskId);
        this.publishResult(taskId, sessionId);
      });
  }

  private async execute(taskId: string, sessionId: string, signal: AbortSignal): Promise<void> {
    const { tasks, log } = this.options;
    let task: Task | null | undefined = tasks.peek(taskId);
    if (!task || isTerminal(task.status)) return;
    if (task.runner !== this.instance || task.session_id !== sessionId) {
      // Bookkeeping for restart recovery; losing it in a crash only means the task is run again.
      task = await tasks.amend(taskId, { runner: this.instance, session_id: sessionId }, { durable: false });
      if (!task) return;
    }
    const agent = this.options.agents.get(task.assignee_id);
    if (!agent) {
      await tasks.fail(task.assignee_id, { task_id: taskId, error: `agent ${task.assignee_id} is no longer defined` });
      return;
    }
    const retryBase = this.options.retryBaseMs ?? 1000;
    const first: Task = task;
    let attempts = first.attempts;
    for (;;) {
      try {
        const outcome = await this.scheduler.run(
          first.priority,
          () => this.attempt(first, ++attempts, agent, sessionId, signal),
          {
            signal,
            onQueued: () =>
              void tasks.amend(taskId, { status_message: 'queued' }, { durable: false }).catch(() => undefined),
          },
        );
        // One write for both: the conversation and the answer (unless a tool already ended the task).
        const now = tasks.peek(taskId);
        const answers = now !== undefined && !isTerminal(now.status);
        // SPEC §10: the final answer is a result, held to the same limits; a longer one fails this attempt before
        // the conversation that holds it is saved.
        if (answers) checkJsonValue(outcome.text, "the agent's final answer");
        await Promise.all([
          this.saveSession(sessionId, agent, first.delegated_by, outcome.messages),
          answers ? tasks.complete(agent.id, { task_id: taskId, result: outcome.text }) : null,
        ]);
        return;
      } catch (error) {
        if (signal.aborted) return; // the task ended (cancel, deadline) or Baton is stopping: nothing to record
        const now = tasks.peek(taskId);
        if (!now || isTerminal(now.status)) return;
        const message = errorMessage(error);
        if (attempts <= now.max_retries && !(error instanceof ConfigError)) {
          const delay = retryBase * 2 ** (attempts - 1);
          log.warn('subagent attempt failed; retrying', { task_id: taskId, attempt: attempts, delay, error: message });
          await tasks.amend(taskId, { status_message: `attempt ${attempts} failed (${message}); retrying` });
          if (!(await sleep(delay, signal))) return;
          continue;
        }
        await tasks.fail(agent.id, { task_id: taskId, error: message }).catch(() => undefined);
        return;
      }
    }
  }

  /** One attempt: resolve the model, load the session, run the loop. Returns the answer and the conversation. */
  private async attempt(
    task: Task,
    attempts: number,
    agent: AgentDefinition,
    sessionId: string,
    signal: AbortSignal,
  ): Promise<{ text: string; messages: ChatMessage[] }> {
    const { tasks, store, providers, bus, log } = this.options;
    // Recorded while the model works; the run's last write makes it durable.
    const started: Task = { ...task, attempts, status_message: 'running' };
    void tasks
      .amend(task.id, { attempts, status_message: 'running' }, { durable: false })
      .catch((error: unknown) =>
        log.warn('could not record the attempt', { task_id: task.id, error: errorMessage(error) }),
      );
    const { provider, model } = this.resolveModel(agent, started, sessionId);
    this.models.set(task.id, provider === 'sampling' ? 'sampling' : formatModel({ provider, model }));
    const session = store.getSession(sessionId);
    // Messages sent to the agent since this task was assigned (while it was queued, pending, or between attempts)
    // go into the first prompt; later ones are shown between its steps.
    let inboxAfter = this.assignedSeq(agent.id, task.id) ?? store.seq;
    const { items: waiting, next_cursor } = tasks.inboxSince(agent.id, inboxAfter, 100);
    inboxAfter = next_cursor;
    const earlier = inboxText(waiting);
    const messages: ChatMessage[] = [
      ...(session?.messages ?? []),
      { role: 'user', content: earlier ? `${this.userMessage(started)}\n\n${earlier}` : this.userMessage(started) },
    ];
    const tools = await buildAgentTools({
      agent,
      task: started,
      tasks,
      catalog: this.options.catalog,
      mcp: this.options.mcp,
      workspace: () => this.options.workspaces.forRun(started, sessionId),
      ...(this.options.workspaceTools ? { workspaceOptions: this.options.workspaceTools } : {}),
      log,
      checkSpawn: (agentId, description) => this.checkSpawn(tasks.peek(task.id), agentId, description),
      spawnSession: async (agentId) => {
        const child = this.options.agents.get(agentId);
        const self = tasks.peek(task.id);
        return child && self ? this.spawnSession(self, child, agent.id) : null;
      },
      notes: {
        read: () => this.notes.read(sessionId),
        remember: (key, value) => this.notes.remember(sessionId, agent.id, task.delegated_by, key, value),
      },
      withAgentDefaults: (input) => this.withAgentDefaults(input),
      waiting: (fn) => this.scheduler.whileWaiting(fn),
      merge: (input, childSignal) => this.merge(agent.id, input, { parentTaskId: task.id, signal: childSignal }),
      dispatch: async (input, childSignal) => {
        const sampler = this.samplers.get(sessionId);
        const outcome = await this.dispatch(agent.id, input, {
          parentTaskId: task.id,
          signal: childSignal,
          ...(sampler ? { sampler } : {}),
        });
        return {
          result: outcome.result,
          error: outcome.error,
          status: outcome.status,
          session_id: outcome.session_id,
          task_id: outcome.task.id,
          agent_id: input.agent_id,
        };
      },
    });
    const onStep = (step: LoopStep) =>
      bus.publish({ type: 'dispatch.progress', task_id: task.id, session_id: sessionId, ...stepFields(step) });
    const outcome = await runAgentLoop({
      provider: providers.get(provider, sessionId),
      model,
      system: agent.system_prompt,
      messages,
      tools,
      maxSteps: agent.max_steps,
      signal,
      onStep,
      complete: (_p, request) => providers.complete(provider, request, sessionId),
      finished: () => isTerminal(tasks.peek(task.id)?.status ?? 'completed'),
      beforeTurn: async () => {
        // SPEC §4: a running subagent gets its new messages before its next step.
        const { items, next_cursor } = tasks.inboxSince(agent.id, inboxAfter, 100);
        inboxAfter = next_cursor;
        const text = inboxText(items);
        return text ? [{ role: 'user', content: text }] : [];
      },
    });
    const final = tasks.peek(task.id);
    const text = final?.status === 'completed' ? resultText(final.result) : outcome.text;
    return { text, messages: outcome.messages };
  }

  /** The user message of a run: the task, its context or payload (the seed's `\n\nContext:\n…`), and the results of the tasks it depends on. */
  private userMessage(task: Task): string {
    const parts = [task.description];
    const payload = task.payload as { context?: unknown } | undefined;
    if (task.kind === 'dispatch' && typeof payload?.context === 'string') parts.push(`Context:\n${payload.context}`);
    else if (payload !== undefined) parts.push(`Payload:\n${JSON.stringify(payload, null, 2)}`);
    if (task.depends_on.length > 0) {
      const results = task.depends_on.map((id) => {
        const dep = this.options.tasks.peek(id);
        return `[${id}] ${dep?.assignee_id ?? '?'}: ${dep ? resultText(dep.result) : '(gone)'}`;
      });
      parts.push(`Results of the tasks this one depends on:\n${results.join('\n')}`);
    }
    return parts.join('\n\n');
  }

  /** The inbox position of the `assigned` notification of this task, if the agent's inbox still holds it. */
  private assignedSeq(agentId: string, taskId: string): number | null {
    const item = this.options.store.lastInbox(
      agentId,
      (i) => i.event === 'task.notification.assigned' && i.task_id === taskId,
    );
    return item?.seq ?? null;
  }

  private resolveModel(
    agent: AgentDefinition,
    task: Task,
    sessionId: string,
  ): { provider: ProviderName; model: string } {
    let spec = agent.model && agent.model !== 'inherit' ? agent.model : null;
    if (spec === null && task.parent_task_id) spec = this.models.get(task.parent_task_id) ?? null;
    if (spec === null) spec = this.options.defaultModel;
    if (spec === null) {
      const sampler = this.samplers.get(sessionId) ?? this.options.samplerFor?.(task.delegated_by);
      if (!sampler) {
        throw new ConfigError(
          `agent ${agent.id} names no model, no default was given (--model or BATON_MODEL, e.g. anthropic:claude-sonnet-4-5), ` +
            'and the calling client does not offer sampling',
        );
      }
      this.samplers.set(sessionId, sampler);
      spec = 'sampling';
    }
    const parsed = this.options.models.resolve(spec);
    if (parsed.provider === 'inherit') return { provider: 'sampling', model: '' };
    if (parsed.provider === 'sampling' && !this.samplers.has(sessionId)) {
      const sampler = this.options.samplerFor?.(task.delegated_by);
      if (sampler) this.samplers.set(sessionId, sampler);
    }
    return { provider: parsed.provider, model: parsed.model };
  }

  /** Saves the conversation on the session, keeping notes written meanwhile. */
  private async saveSession(
    sessionId: string,
    agent: AgentDefinition,
    owner: string,
    messages: ChatMessage[],
  ): Promise<void> {
    const now = new Date().toISOString();
    await this.options.store.transact((tx) => {
      const previous = tx.getSession(sessionId);
      tx.putSession({
        id: sessionId,
        agent_id: agent.id,
        owner: previous?.owner ?? owner,
        messages,
        notes: previous?.notes ?? {},
        notes_from: previous?.notes_from ?? null,
        created_at: previous?.created_at ?? now,
        updated_at: now,
      });
    });
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  private requireAgent(agentId: string, caller: string): AgentDefinition {
    const agent = this.options.agents.get(agentId);
    if (!agent || agent.id === caller) {
      const known = this.options.agents
        .list()
        .map((a) => a.id)
        .filter((id) => id !== caller);
      throw new InputError('unknown_agent', `unknown agent '${agentId}'; known: ${known.join(', ') || 'none'}`);
    }
    return agent;
  }

  /** A new session id, or the given one after checking it belongs to this caller and agent. */
  private sessionFor(caller: string, agent: AgentDefinition, sessionId: string | undefined): string {
    if (sessionId === undefined) return randomUUID();
    const session = this.options.store.getSession(sessionId);
    if (!session || session.owner !== caller) throw new InputError('not_found', `session not found: ${sessionId}`);
    if (session.agent_id !== agent.id) {
      throw new InputError(
        'wrong_agent',
        `session ${sessionId} is a conversation with ${session.agent_id}, not ${agent.id}`,
      );
    }
    return sessionId;
  }

  /** The result event for a task that already ended, built from the store. */
  private finished(taskId: string, sessionId: string): DispatchResultEvent | null {
    const task = this.options.tasks.peek(taskId);
    if (!task || !isTerminal(task.status) || this.runs.has(taskId)) return null;
    return resultEvent(task, sessionId);
  }

  private publishResult(taskId: string, sessionId: string): void {
    const task = this.options.tasks.peek(taskId);
    if (!task) return;
    if (!isTerminal(task.status)) return; // stopped for shutdown: the task waits for the next start
    this.options.bus.publish(resultEvent(task, sessionId));
  }
}

/** New messages (not task notifications) as the text a run is shown, or '' when there are none. */
function inboxText(items: InboxItem[]): string {
  const messages = items.filter((i) => i.event === 'message.received');
  if (messages.length === 0) return '';
  return `New messages in your inbox:\n${messages.map((i) => `- from ${i.from ?? 'unknown'}: ${i.content ?? ''}`).join('\n')}`;
}

function resultEvent(task: Task, sessionId: string): DispatchResultEvent {
  return {
    type: 'dispatch.result',
    task_id: task.id,
    session_id: sessionId,
    status: task.status,
    ...(task.status === 'completed'
      ? { result: typeof task.result === 'string' ? task.result : JSON.stringify(task.result ?? null) }
      : { error: task.error ?? task.status }),
  };
}

function stepFields(step: LoopStep): Pick<DispatchProgressEvent, 'step' | 'max_steps' | 'message'> {
  return { step: step.step, max_steps: step.maxSteps, message: step.message };
}

/** Whether the process named by a `host:pid` runner is alive (other hosts are assumed alive). */
function isAlive(runner: string): boolean {
  const at = runner.lastIndexOf(':');
  const host = runner.slice(0, at);
  const pid = Number(runner.slice(at + 1));
  if (host !== os.hostname() || !Number.isInteger(pid)) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Waits `ms`; false if `signal` aborted first. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
