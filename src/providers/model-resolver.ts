/**
 * What a `model:` means (SPEC §3, issue 8): the config's `models` map (`--model-map`) first, so an alias or a whole
 * vendor can point at any provider (`"sonnet": "openai:qwen3"`, `"anthropic:*": "openai:qwen3"`); then the aliases
 * `sonnet | opus | haiku | fable`, each the newest non-deprecated model of its family that the installed Anthropic SDK
 * lists. A deprecated model still runs, with one warning per model per process.
 */
import { ConfigError, errorMessage } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { installedAnthropicCatalog, newestOfFamily, type AnthropicCatalog } from './anthropic-models.js';
import { formatModel, parseModelSpec, type ModelSpec } from './model-spec.js';

/** A concrete model: no alias left. `provider` stays `inherit` for `inherit` (the runtime decides). */
export type ResolvedModel = Omit<ModelSpec, 'family'>;

/** Resolves model specs to concrete models. */
export interface ModelResolver {
  /** Throws `ConfigError` naming the spec for an unknown form, a map that loops, or an alias no SDK model fits. */
  resolve(spec: string): ResolvedModel;
}

export interface ModelResolverOptions {
  /** Lower-case keys: an alias, `vendor:*`, or `provider:model`; values are model specs (`vendor:*` keeps the model). */
  map?: Readonly<Record<string, string>>;
  /** Default: the installed `@anthropic-ai/sdk`'s. */
  catalog?: () => AnthropicCatalog;
  log?: Logger;
}

const MAX_HOPS = 8;

/** One resolver per process: it remembers which deprecated models it already warned about. */
export function createModelResolver(options: ModelResolverOptions = {}): ModelResolver {
  const entries = options.map ?? {};
  // Own keys only: a `model: constructor` must not find Object.prototype's.
  const map = (key: string): string | undefined => (Object.hasOwn(entries, key) ? entries[key] : undefined);
  const catalog = options.catalog ?? installedAnthropicCatalog;
  const log = options.log ?? silentLogger;
  const warned = new Set<string>();

  const family = (spec: ModelSpec, original: string): ResolvedModel => {
    let models: AnthropicCatalog;
    try {
      models = catalog();
    } catch (error) {
      throw new ConfigError(
        `cannot resolve the model alias '${original}': ${errorMessage(error)}; name a model (anthropic:claude-…) or map the alias in "models"`,
      );
    }
    const id = newestOfFamily(models, spec.family!);
    if (!id) {
      throw new ConfigError(
        `cannot resolve the model alias '${original}': ${models.source} lists no current ${spec.family} model; name a model or map the alias in "models"`,
      );
    }
    return { provider: 'anthropic', model: id };
  };

  return {
    resolve(spec) {
      const original = spec.trim();
      const path = [original];
      let text = original;
      for (let hop = 0; hop < MAX_HOPS; hop++) {
        const direct = map(text.toLowerCase());
        if (direct !== undefined && direct.toLowerCase() !== text.toLowerCase()) {
          text = next(direct, undefined, path);
          continue;
        }
        const parsed = parseModelSpec(text);
        const concrete: ResolvedModel = parsed.family ? family(parsed, text) : parsed;
        const name = formatModel(concrete).toLowerCase();
        const exact = map(name);
        if (exact !== undefined && name !== text.toLowerCase()) {
          text = next(exact, concrete, path);
          continue;
        }
        const vendor = map(`${concrete.provider}:*`);
        if (vendor !== undefined && concrete.provider !== 'inherit') {
          text = next(vendor, concrete, path);
          continue;
        }
        warnIfDeprecated(concrete);
        return concrete;
      }
      throw new ConfigError(`the "models" map loops for '${original}': ${path.join(' → ')}`);
    },
  };

  /** The next spec to resolve; `vendor:*` as a target keeps the model name on the other vendor. */
  function next(target: string, from: ResolvedModel | undefined, path: string[]): string {
    const spec = target.endsWith(':*') && from ? `${target.slice(0, -1)}${from.model}` : target;
    if (path.some((seen) => seen.toLowerCase() === spec.toLowerCase())) {
      throw new ConfigError(`the "models" map loops: ${[...path, spec].join(' → ')}`);
    }
    path.push(spec);
    return spec;
  }

  function warnIfDeprecated(model: ResolvedModel): void {
    if (model.provider !== 'anthropic' || warned.has(model.model)) return;
    let endOfLife: string | undefined;
    try {
      endOfLife = catalog().deprecated[model.model];
    } catch {
      return; // no catalog: nothing known about deprecation
    }
    if (endOfLife === undefined) return;
    warned.add(model.model);
    log.warn(`model ${model.model} is deprecated and reaches end of life on ${endOfLife}; move to a newer model`, {
      model: model.model,
    });
  }
}
