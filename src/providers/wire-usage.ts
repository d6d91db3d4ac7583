/**
 * Usage as each vendor puts it on the wire → the neutral `Usage` (src/usage/usage.ts: `input_tokens` counts every
 * prompt token, cached ones included). The mappers read `unknown`: a usage block of an unexpected shape loses its
 * counts (null), never the answer it came with. A count that is not a whole number ≥ 0 is not a count.
 */
import { UNKNOWN_USAGE, type Usage } from '../usage/usage.js';

/**
 * Anthropic Messages `usage`, the response's or a stream's `message_delta` one (same fields, cumulative):
 * `input_tokens` there excludes the cache, so cache reads and writes are added back into the neutral input.
 */
export function fromAnthropicUsage(raw: unknown): Usage {
  if (!isRecord(raw)) return { ...UNKNOWN_USAGE };
  const fresh = count(raw.input_tokens);
  const cacheRead = count(raw.cache_read_input_tokens);
  const cacheWrite = count(raw.cache_creation_input_tokens);
  return {
    input_tokens: fresh === null ? null : fresh + (cacheRead ?? 0) + (cacheWrite ?? 0),
    output_tokens: count(raw.output_tokens),
    cache_read_tokens: cacheRead,
    cache_write_tokens: cacheWrite,
  };
}

/**
 * OpenAI Chat Completions `usage`, the response's or a stream's last chunk (`stream_options.include_usage`):
 * `prompt_tokens` already includes `prompt_tokens_details.cached_tokens` (and `cache_write_tokens`, where sent).
 * Compatible servers (Ollama, vLLM) often send no details: the cache counts are then unknown.
 */
export function fromOpenAiUsage(raw: unknown): Usage {
  if (!isRecord(raw)) return { ...UNKNOWN_USAGE };
  const details = isRecord(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {};
  return {
    input_tokens: count(raw.prompt_tokens),
    output_tokens: count(raw.completion_tokens),
    cache_read_tokens: count(details.cached_tokens),
    cache_write_tokens: count(details.cache_write_tokens),
  };
}

/**
 * What a sampling client reports. MCP's `CreateMessageResult` has no usage field (spec 2025-11-25), so this reads
 * the forms a client may add, in `usage` or `_meta.usage`: camelCase `{inputTokens, outputTokens,
 * cacheReadTokens?, cacheWriteTokens?}` (inputTokens read as the whole prompt), or its vendor's own usage block
 * passed through (Anthropic's `input_tokens`, OpenAI's `prompt_tokens`). Anything else: unknown.
 */
export function fromSamplingUsage(result: object): Usage {
  const { usage, _meta } = result as { usage?: unknown; _meta?: unknown };
  const meta = isRecord(_meta) ? _meta : {};
  const raw = isRecord(usage) ? usage : isRecord(meta.usage) ? meta.usage : undefined;
  if (!raw) return { ...UNKNOWN_USAGE };
  if ('prompt_tokens' in raw || 'completion_tokens' in raw) return fromOpenAiUsage(raw);
  if ('input_tokens' in raw || 'output_tokens' in raw) return fromAnthropicUsage(raw);
  return {
    input_tokens: count(raw.inputTokens),
    output_tokens: count(raw.outputTokens),
    cache_read_tokens: count(raw.cacheReadTokens),
    cache_write_tokens: count(raw.cacheWriteTokens),
  };
}

function count(value: unknown): number | null {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : null;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
