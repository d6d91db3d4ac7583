/**
 * The model a run uses (SPEC §3 `model:`, §8): the agent's own, else its parent task's (for `inherit`, or none),
 * else `--model`, else the calling client's model through sampling. Aliases and the models map resolve through
 * the `ModelResolver`.
 */
import type { AgentDefinition } from '../agents/definition.js';
import { ConfigError } from '../errors.js';
import type { Task } from '../model/task.js';
import { formatModel } from '../providers/model-spec.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderName } from '../providers/types.js';
import type { Samplers } from './samplers.js';

export interface ResolvedModel {
  provider: ProviderName;
  model: string;
  /** What the task records as its model: `provider:model`, or `sampling`. */
  spec: string;
}

/** What of a task decides its model: its parent (for `inherit`), its delegator and session (for sampling). */
export type ModelContext = Pick<Task, 'parent_task_id' | 'delegated_by' | 'session_id'>;

export class ModelResolution {
  constructor(
    private readonly models: ModelResolver,
    private readonly defaultModel: string | null,
    private readonly samplers: Samplers,
    private readonly peek: (taskId: string) => Promise<Task | undefined>,
  ) {}

  /** The model spec before sampling is decided: null means "the client's model". */
  async specOf(agent: AgentDefinition, task: ModelContext): Promise<string | null> {
    let spec = agent.model && agent.model !== 'inherit' ? agent.model : null;
    if (spec === null && task.parent_task_id) spec = (await this.peek(task.parent_task_id))?.model ?? null;
    return spec ?? this.defaultModel;
  }

  /** Whether this process could run the task's agent now: a model it can reach, or the client it samples through. */
  async canRun(agent: AgentDefinition, task: ModelContext): Promise<boolean> {
    const spec = await this.specOf(agent, task);
    return !this.usesSampling(spec) || this.samplers.available(task.session_id, task.delegated_by);
  }

  /** The model of an attempt; throws `ConfigError` naming what is missing. */
  async resolve(agent: AgentDefinition, task: ModelContext, sessionId: string): Promise<ResolvedModel> {
    const spec = await this.specOf(agent, task);
    if (this.usesSampling(spec)) {
      // An explicit `sampling` without a client is the sampling provider's error to give (it names the fix).
      if (!this.samplers.find(sessionId, task.delegated_by) && spec === null) {
        throw new ConfigError(
          `agent ${agent.id} names no model, no default was given (--model or BATON_MODEL, e.g. anthropic:claude-sonnet-4-5), ` +
            'and the calling client does not offer sampling',
        );
      }
      return { provider: 'sampling', model: spec === null ? '' : this.samplingHint(spec), spec: 'sampling' };
    }
    const parsed = this.models.resolve(spec as string);
    return { provider: parsed.provider as ProviderName, model: parsed.model, spec: formatModel(parsed) };
  }

  private usesSampling(spec: string | null): boolean {
    if (spec === null) return true;
    const { provider } = this.models.resolve(spec);
    return provider === 'sampling' || provider === 'inherit';
  }

  private samplingHint(spec: string): string {
    const parsed = this.models.resolve(spec);
    return parsed.provider === 'inherit' ? '' : parsed.model;
  }
}
