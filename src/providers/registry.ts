/** Providers by name: built lazily and cached (sampling per calling session), and one retried `complete` path. */
import { ProviderError } from '../errors.js';
import { silentLogger, type Logger } from '../log.js';
import { AnthropicProvider } from './anthropic.js';
import { OpenAiProvider } from './openai.js';
import { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy } from './retry.js';
import { SamplingProvider, type CreateMessage } from './sampling.js';
import { apiKeyProblem, type KeyedVendor } from './vendor-sdk.js';
import type { ModelProvider, ModelRequest, ModelResponse, ProviderEnv, ProviderName } from './types.js';

/** What the registry is built from. */
export interface ProviderRegistryOptions {
  env: ProviderEnv;
  /** The sampling function of a session's client, or undefined when it did not declare the capability. */
  samplingFor?: (sessionId: string) => CreateMessage | undefined;
  retry?: Partial<RetryPolicy>;
  log?: Logger;
}

/** Model providers by name. `sessionId` names the calling client, which only `sampling` needs. */
export interface ProviderRegistry {
  /** The provider; throws `ProviderError` at once naming what is missing (an API key, the client's sampling). */
  get(name: ProviderName, sessionId?: string): ModelProvider;
  /** Whether `get` would succeed: the key is set and valid, or the session's client offers sampling (for list_agents). */
  isUsable(name: ProviderName, sessionId?: string): boolean;
  /** Why a vendor's API key cannot be used ("ANTHROPIC_API_KEY is not set" / "… is not a valid key"), or null. */
  keyProblem(name: KeyedVendor): string | null;
  /** One model turn on `name`, retrying transient faults; `request.signal` cancels both the request and waiting. */
  complete(name: ProviderName, request: ModelRequest, sessionId?: string): Promise<ModelResponse>;
  /**
   * Loads a usable vendor's SDK and builds its client now (at start, off the critical path), so that the first
   * model calls do not wait for it. Sends nothing; never throws (a failure shows at the first call).
   */
  warm(name: ProviderName): Promise<void>;
}

/** Builds the registry once per process; vendor SDKs load only when a provider first completes. */
export function createProviderRegistry(options: ProviderRegistryOptions): ProviderRegistry {
  const { env } = options;
  const log = options.log ?? silentLogger;
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const cached = new Map<'anthropic' | 'openai', ModelProvider>();

  const vendor = (name: 'anthropic' | 'openai'): ModelProvider => {
    let provider = cached.get(name);
    if (!provider) {
      provider = name === 'anthropic' ? new AnthropicProvider({ env, log }) : new OpenAiProvider({ env, log });
      cached.set(name, provider);
    }
    return provider;
  };

  const get = (name: ProviderName, sessionId?: string): ModelProvider => {
    if (name !== 'sampling') return vendor(name);
    const createMessage = sessionId === undefined ? undefined : options.samplingFor?.(sessionId);
    if (!createMessage) {
      throw new ProviderError(
        "sampling: the calling client did not declare the sampling capability; use a provider:model such as 'anthropic:claude-sonnet-4-5'",
        { retryable: false, code: 'sampling_unavailable' },
      );
    }
    return new SamplingProvider(createMessage);
  };

  return {
    get,
    isUsable(name, sessionId) {
      if (name !== 'sampling') return apiKeyProblem(name, env) === null;
      return sessionId !== undefined && options.samplingFor?.(sessionId) !== undefined;
    },
    keyProblem: (name) => apiKeyProblem(name, env),
    async warm(name) {
      if (name === 'sampling' || apiKeyProblem(name, env) !== null) return;
      await vendor(name)
        .warm?.()
        .catch((error: unknown) => log.debug(`${name}: could not warm up`, { error: String(error) }));
    },
    async complete(name, request, sessionId) {
      const provider = get(name, sessionId);
      return withRetry(() => provider.complete(request), {
        ...policy,
        signal: request.signal,
        onRetry: ({ attempt, delayMs, error }) =>
          log.warn(`${name}: retrying after a transient error`, { attempt, delayMs, error: error.message }),
      });
    },
  };
}
