/** Parses the `model:` of an agent definition or dispatch into a provider and a model name. */
import { ConfigError } from '../errors.js';
import { PROVIDER_NAMES, type ProviderName } from './types.js';

/** A parsed model spec. `model` is empty for `inherit` and for `sampling` without a hint. */
export interface ModelSpec {
  provider: ProviderName | 'inherit';
  model: string;
}

/** Short names for current Anthropic models. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  sonnet: 'claude-sonnet-4-5',
  opus: 'claude-opus-4-1',
  haiku: 'claude-haiku-4-5',
};

const ACCEPTED =
  'provider:model (anthropic:claude-sonnet-4-5, openai:gpt-4o, openai:llama3.1 for an OPENAI_BASE_URL server, ' +
  'sampling:<hint>), an alias (sonnet, opus, haiku), a bare claude-*, gpt-* or o1/o3/o4* name, sampling, or inherit';

/**
 * Parses `provider:model`, an alias, a bare vendor model name, `sampling` or `inherit`.
 * Throws `ConfigError` listing the accepted forms for anything else.
 */
export function parseModelSpec(spec: string): ModelSpec {
  const text = spec.trim();
  const lower = text.toLowerCase();
  if (lower === 'inherit' || lower === 'sampling') return { provider: lower, model: '' };
  const alias = aliasOf(lower);
  if (alias) return { provider: 'anthropic', model: alias };

  const colon = text.indexOf(':');
  if (colon > 0) {
    const provider = lower.slice(0, colon);
    // Only the first colon splits: Ollama names carry their own ("openai:llama3.1:8b").
    const model = text.slice(colon + 1).trim();
    if (isProviderName(provider) && model) {
      return { provider, model: provider === 'anthropic' ? (aliasOf(model.toLowerCase()) ?? model) : model };
    }
    throw new ConfigError(`invalid model '${spec}'; accepted: ${ACCEPTED}`);
  }
  if (lower.startsWith('claude-')) return { provider: 'anthropic', model: text };
  if (lower.startsWith('gpt-') || /^o\d/.test(lower)) return { provider: 'openai', model: text };
  throw new ConfigError(`unknown model '${spec}'; accepted: ${ACCEPTED}`);
}

/** Own keys only: "constructor" is no alias. */
function aliasOf(name: string): string | undefined {
  return Object.hasOwn(MODEL_ALIASES, name) ? MODEL_ALIASES[name] : undefined;
}

function isProviderName(value: string): value is ProviderName {
  return (PROVIDER_NAMES as readonly string[]).includes(value);
}
