/**
 * Shared set-up of the orchestration tests: defined agents on one loopback fake OpenAI server whose answers are
 * routed by the system prompt (each agent's body is `You are <id>.`), a Baton core on the shared sandbox, and a host
 * client.
 */
import type { AgentSpec } from '../helpers/agents.js';
import { writeAgent } from '../helpers/agents.js';
import type { Core, CoreOptions, TestClient } from '../helpers/core.js';
import { eventually } from '../helpers/core.js';
import { useSandbox } from '../helpers/sandbox.js';
import type { FakeOpenAi, FakeReply, OpenAiRequestBody } from '../providers/fakes/fake-openai-server.js';

export type Body = OpenAiRequestBody;
/** How one agent's model answers a request. */
export type AgentModel = (body: Body) => FakeReply | Promise<FakeReply>;

/** A task as wait_for_tasks reports it. */
export interface Outcome {
  id: string;
  assignee_id: string;
  status: string;
  status_message: string | null;
  result?: unknown;
  error: string | null;
}

export interface Waited {
  done: boolean;
  timed_out: boolean;
  tasks: Outcome[];
  pending_task_ids: string[];
}

export interface Created {
  task_id: string;
  status: string;
  assignee_id: string;
  delegated_by: string;
  deadline: string | null;
}

export interface World {
  core: Core;
  fake: FakeOpenAi;
  host: TestClient;
}

export interface StartOptions extends Omit<CoreOptions, 'agents' | 'env'> {
  /** Agent definitions by id; each gets `model: openai:gpt-test` and the body `You are <id>.` unless given. */
  agents: Record<string, AgentSpec>;
  /** The fake model of each agent, by id. */
  models: Record<string, AgentModel>;
}

/** The agent a request comes from, read from its system prompt. */
export function agentOf(body: Body): string {
  const system = String(body.messages[0]?.content ?? '');
  return /^You are ([a-z0-9-]+)\.$/.exec(system)?.[1] ?? `(system prompt: ${system})`;
}

/** The content of every message of a request, as text. */
export function contents(body: Body): string[] {
  return body.messages.map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content ?? null)));
}

/** The first user message of a request: the task as the agent was given it. */
export function taskOf(body: Body): string {
  const user = body.messages.find((m) => m.role === 'user');
  return typeof user?.content === 'string' ? user.content : '';
}

/** The last message of a request. */
export function lastOf(body: Body): Body['messages'][number] {
  return body.messages[body.messages.length - 1] as Body['messages'][number];
}

/** How many tool results the conversation holds: the step the agent is at, from 0. */
export function toolResults(body: Body): number {
  return body.messages.filter((m) => m.role === 'tool').length;
}

/** A promise with its resolver, to hold a fake model answer until the test lets it go. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Registers the per-test sandbox (temp folder, fake LLM, cores; all closed after each test); `start` builds a world. */
export function orchestration() {
  const sandbox = useSandbox();
  return {
    async start({ agents, models, ...options }: StartOptions): Promise<World> {
      const fake = await sandbox.fakeOpenAi((body) => {
        const model = models[agentOf(body)];
        if (!model) throw new Error(`no fake model for ${agentOf(body)}`);
        return model(body);
      });
      for (const [id, spec] of Object.entries(agents)) {
        await writeAgent(sandbox.agentsDir, id, { model: 'openai:gpt-test', ...spec });
      }
      const core = await sandbox.start(options);
      return { core, fake, host: await core.connect('host') };
    },
  };
}

/** The requests one agent's model received, in order. */
export function requestsOf(fake: FakeOpenAi, agentId: string): Body[] {
  return fake.requests.filter((r) => agentOf(r.body) === agentId).map((r) => r.body);
}

/** Delegates each `[assignee, description]` in `group` from `client`; returns the task ids in that order. */
export async function delegateAll(
  client: TestClient,
  group: string,
  entries: Array<[assignee: string, description: string]>,
): Promise<string[]> {
  const ids: string[] = [];
  // One after the other, so the group's order is the order given; each returns at once and the runs overlap.
  for (const [assignee_id, description] of entries) {
    ids.push((await client.ok<Created>('delegate_task', { assignee_id, description, group })).task_id);
  }
  return ids;
}

/** Waits, as the host would, until every one of the tasks has ended. */
export async function waitAll(client: TestClient, taskIds: string[]): Promise<Waited> {
  const waited = await client.ok<Waited>('wait_for_tasks', { task_ids: taskIds, mode: 'all', timeout_seconds: 5 });
  if (!waited.done) throw new Error(`tasks still running: ${waited.pending_task_ids.join(', ')}`);
  return waited;
}

/** Waits until a task the client cannot see (a subagent's child) has ended, and returns it. */
export function ended(core: Core, taskId: string, timeoutMs = 4000) {
  return eventually(
    async () => {
      const task = await core.tasks.peek(taskId);
      return task && task.status !== 'pending' && task.status !== 'in_progress' ? task : null;
    },
    timeoutMs,
    `task ${taskId} to end`,
  );
}
