/** Parses the `model:` of an agent definition or dispatch into a provider and a model name (syntax only). */
import { ConfigError } from '../errors.js';
import { PROVIDER_NAMES, type ProviderName } from './types.js';

/** Claude Code's model aliases: each names a family of Anthropic models (SPEC §3). */
export const MODEL_FAMILIES = ['sonnet', 'opus', 'haiku', 'fable'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/**
 * A parsed model spec. `model` is empty for `inherit` and for `sampling` without a hint. For an alias (`sonnet`,
 * `anthropic:opus`) `family` is set and `model` is the family name: `ModelResolver` picks the concrete model.
 */
export interface ModelSpec {
  provider: ProviderName | 'inherit';
  model: string;
  family?: ModelFamily;
}

const ACCEPTED =
  'provider:model (anthropic:claude-sonnet-4-5, openai:gpt-4o, openai:llama3.1 for an OPENAI_BASE_URL server, ' +
  'sampling:<hint>), an alias (sonnet, opus, haiku, fable), a bare claude-*, gpt-* or o1/o3/o4* name, sampling, or inherit';

/**
 * Parses `provider:model`, an alias, a bare vendor model name, `sampling` or `inherit`.
 * Throws `ConfigError` listing the accepted forms for anything else.
 */
export function parseModelSpec(spec: string): ModelSpec {
  const text = spec.trim();
  const lower = text.toLowerCase();
  if (lower === 'inherit' || lower === 'sampling') return { provider: lower, model: '' };
  if (isFamily(lower)) return { provider: 'anthropic', model: lower, family: lower };

  const colon = text.indexOf(':');
  if (colon > 0) {
    const provider = lower.slice(0, colon);
    // Only the first colon splits: Ollama names carry their own ("openai:llama3.1:8b").
    const model = text.slice(colon + 1).trim();
    if (isProviderName(provider) && model) {
      const family = model.toLowerCase();
      if (provider === 'anthropic' && isFamily(family)) return { provider, model: family, family };
      return { provider, model };
    }
    throw new ConfigError(`invalid model '${spec}'; accepted: ${ACCEPTED}`);
  }
  if (lower.startsWith('claude-')) return { provider: 'anthropic', model: text };
  if (lower.startsWith('gpt-') || /^o\d/.test(lower)) return { provider: 'openai', model: text };
  throw new ConfigError(`unknown model '${spec}'; accepted: ${ACCEPTED}`);
}

/** `provider:model` as Baton shows it (`sampling` alone when it has no hint). */
export function formatModel(spec: { provider: string; model: string }): string {
  return spec.model ? `${spec.provider}:${spec.model}` : spec.provider;
}

function isFamily(value: string): value is ModelFamily {
  return (MODEL_FAMILIES as readonly string[]).includes(value);
}

function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}
