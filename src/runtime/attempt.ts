/**
 * One attempt of a run (SPEC §8): resolve the model, load the session's conversation and the agent's new messages,
 * build its tools, run the agent loop. Returns the answer and the conversation; the run records the outcome.
 *
 * The attempt is recorded on the task (attempts, "running", the model, the sampling affinity) while the first
 * model call is already under way: a created task's attempt starts while its creation is made durable, and no
 * model answer is acted on before both are acknowledged.
 */
import type { AgentDefinition } from '../agents/definition.js';
import type { ChatMessage } from '../model/chat-message.js';
import type { InboxItem } from '../model/inbox.js';
import { isTerminal } from '../model/task.js';
import type { Task } from '../model/task.js';
import type { ProviderName } from '../providers/types.js';
import { runAgentLoop } from './agent-loop.js';
import { buildAgentTools } from './agent-tools.js';
import { resultText } from './merge-strategies.js';
import type { RunDeps } from './run-deps.js';
import type { SpendMeter } from './spend-meter.js';
import type { RunHandle } from './worker.js';

export interface AttemptOutcome {
  text: string;
  messages: ChatMessage[];
}

/** Where an attempt's spend is counted: the run reads what is left for its last write (`SpendMeter.take`). */
export type MeterFor = (provider: ProviderName) => SpendMeter;

export async function runAttempt(
  deps: RunDeps,
  run: RunHandle,
  agent: AgentDefinition,
  attempt: number,
  sessionId: string,
  /** Gives the attempt its spend meter, once its provider is known. */
  meterFor: MeterFor,
  /** The attempt was recorded with the task's creation (on `run.task.model`). */
  recordedAtCreation = false,
): Promise<AttemptOutcome> {
  const { tasks, store, providers, bus, log } = deps;
  const task: Task = { ...run.task, attempts: attempt, status_message: 'running' };
  const resolved = await deps.resolution.resolve(agent, task, sessionId);
  const record = () =>
    tasks.updateRun(run.claim, {
      attempts: attempt,
      status_message: 'running',
      model: resolved.spec,
      ...(run.task.session_id === null ? { session_id: sessionId } : {}),
      // SPEC §5: a run on the host's model stays with the process holding that client.
      ...(resolved.provider === 'sampling' ? { affinity: run.claim.runner } : {}),
    });
  const recorded: Promise<unknown> =
    recordedAtCreation && resolved.spec === run.task.model ? run.ready : run.ready.then(record);
  recorded.catch(() => undefined); // awaited below; a failure stops the attempt there
  const meter = meterFor(resolved.provider);
  const session = await store.getSession(sessionId);
  // Messages sent to the agent since this task was assigned (while it was queued, pending, or between attempts)
  // go into the first prompt; later ones are shown between its steps.
  let inboxAfter = run.assignedAfter;
  const { items: waiting, next_cursor } = await tasks.inboxSince(agent.id, inboxAfter, 100);
  inboxAfter = next_cursor;
  const earlier = inboxText(waiting);
  const prompt = await userMessage(deps, task);
  const messages: ChatMessage[] = [
    ...(session?.messages ?? []),
    { role: 'user', content: earlier ? `${prompt}\n\n${earlier}` : prompt },
  ];
  const tools = await buildAgentTools({
    agent,
    task,
    operations: deps.operationsFor(agent, task, run.claim, sessionId),
    ready: run.ready,
    notes: {
      read: () => deps.notes.read(sessionId),
      remember: (key, value) => deps.notes.remember(sessionId, agent.id, task.delegated_by, key, value),
    },
    waiting: (fn) => deps.scheduler.whileWaiting(fn),
    catalog: deps.catalog,
    mcp: deps.mcp,
    workspace: () => deps.workspaces.forRun(task, sessionId),
    ...(deps.workspaceTools ? { workspaceOptions: deps.workspaceTools } : {}),
    log,
  });
  const outcome = await runAgentLoop({
    provider: providers.get(resolved.provider, sessionId),
    model: resolved.model,
    system: agent.system_prompt,
    messages,
    tools,
    maxSteps: agent.max_steps,
    signal: run.signal,
    onStep: (step) =>
      bus.publish({
        type: 'run.progress',
        task_id: task.id,
        step: step.step,
        max_steps: step.maxSteps,
        message: step.message,
      }),
    complete: async (_provider, request) => {
      await meter.before(task); // SPEC §5: no model call starts under a spent budget
      const [response] = await Promise.all([providers.complete(resolved.provider, request, sessionId), recorded]);
      await meter.after(response);
      return response;
    },
    finished: async () => isTerminal((await tasks.peek(task.id))?.status ?? 'completed'),
    beforeTurn: async () => {
      // SPEC §4: a running subagent gets its new messages before its next step.
      const { items, next_cursor } = await tasks.inboxSince(agent.id, inboxAfter, 100);
      inboxAfter = next_cursor;
      const text = inboxText(items);
      return text ? [{ role: 'user', content: text }] : [];
    },
  });
  await recorded;
  const final = await tasks.peek(task.id);
  const text = final?.status === 'completed' ? resultText(final.result) : outcome.text;
  return { text, messages: outcome.messages };
}

/** The user message of a run: the task, its context or payload (the seed's `\n\nContext:\n…`), and the results of the tasks it depends on. */
async function userMessage(deps: RunDeps, task: Task): Promise<string> {
  const parts = [task.description];
  const payload = task.payload as { context?: unknown } | undefined;
  if (task.kind === 'dispatch' && typeof payload?.context === 'string') parts.push(`Context:\n${payload.context}`);
  else if (payload !== undefined) parts.push(`Payload:\n${JSON.stringify(payload, null, 2)}`);
  if (task.depends_on.length > 0) {
    const deps_ = new Map((await deps.store.getTasks(task.depends_on)).map((t) => [t.id, t]));
    const results = task.depends_on.map((id) => {
      const dep = deps_.get(id);
      return `[${id}] ${dep?.assignee_id ?? '?'}: ${dep ? resultText(dep.result) : '(gone)'}`;
    });
    parts.push(`Results of the tasks this one depends on:\n${results.join('\n')}`);
  }
  return parts.join('\n\n');
}

/** New messages (not task notifications) as the text a run is shown, or '' when there are none. */
function inboxText(items: InboxItem[]): string {
  const messages = items.filter((i) => i.event === 'message.received');
  if (messages.length === 0) return '';
  return `New messages in your inbox:\n${messages.map((i) => `- from ${i.from ?? 'unknown'}: ${i.content ?? ''}`).join('\n')}`;
}
