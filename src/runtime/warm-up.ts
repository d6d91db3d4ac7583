/**
 * Warming up after start (issue 15): the vendor SDKs that the defined agents' models need are loaded and their
 * clients built once the server has answered `initialize`, so that the first dispatches (a fan-out, say) do not
 * all wait for a module load of a few hundred ms. Only what the agents name and a key allows; nothing is sent.
 */
import type { AgentRegistry } from '../agents/registry.js';
import type { ModelResolver } from '../providers/model-resolver.js';
import type { ProviderRegistry } from '../providers/registry.js';
import type { ProviderName } from '../providers/types.js';

export interface WarmUpParts {
  agents: AgentRegistry;
  models: ModelResolver;
  providers: ProviderRegistry;
  defaultModel: string | null;
}

/** The vendors the defined agents' models resolve to (`inherit` and no model: `--model`). */
export function vendorsOf(parts: WarmUpParts): Set<ProviderName> {
  const vendors = new Set<ProviderName>();
  for (const agent of parts.agents.list()) {
    const spec = agent.model && agent.model !== 'inherit' ? agent.model : parts.defaultModel;
    if (spec === null) continue;
    try {
      const { provider } = parts.models.resolve(spec);
      if (provider === 'anthropic' || provider === 'openai') vendors.add(provider);
    } catch {
      // An agent with a bad model fails when dispatched, with its reason; nothing to warm for it.
    }
  }
  return vendors;
}

/** Returns a function that warms the providers the first time it is called, and does nothing after. */
export function warmUpOnce(parts: WarmUpParts): () => Promise<void> {
  let warming: Promise<void> | null = null;
  return () =>
    (warming ??= (async () => {
      for (const vendor of vendorsOf(parts)) await parts.providers.warm(vendor);
    })());
}
