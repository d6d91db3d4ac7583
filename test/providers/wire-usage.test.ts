import { describe, expect, it } from 'vitest';
import { fromAnthropicUsage, fromOpenAiUsage, fromSamplingUsage } from '../../src/providers/wire-usage.js';
import { UNKNOWN_USAGE } from '../../src/usage/usage.js';

describe('fromAnthropicUsage', () => {
  it('adds cache reads and writes back into the input, since Anthropic leaves them out of input_tokens', () => {
    const usage = {
      input_tokens: 50,
      output_tokens: 20,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 700,
    };
    expect(fromAnthropicUsage(usage)).toEqual({
      input_tokens: 3750,
      output_tokens: 20,
      cache_read_tokens: 3000,
      cache_write_tokens: 700,
    });
  });

  it('reads a stream message_delta usage the same way (cumulative counts, input_tokens may be null)', () => {
    // Baton does not stream today; the delta form shares the fields, so the one mapper covers it.
    expect(
      fromAnthropicUsage({
        input_tokens: null,
        output_tokens: 87,
        cache_read_input_tokens: null,
        server_tool_use: null,
      }),
    ).toEqual({ input_tokens: null, output_tokens: 87, cache_read_tokens: null, cache_write_tokens: null });
  });

  it('keeps null cache counts null (not reported) while the input stays known', () => {
    expect(fromAnthropicUsage({ input_tokens: 9, output_tokens: 1, cache_read_input_tokens: null })).toEqual({
      input_tokens: 9,
      output_tokens: 1,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
  });
});

describe('fromOpenAiUsage', () => {
  it('takes prompt_tokens as the whole input, cached_tokens and cache_write_tokens as parts of it', () => {
    const usage = {
      prompt_tokens: 1200,
      completion_tokens: 80,
      total_tokens: 1280,
      prompt_tokens_details: { cached_tokens: 1024, cache_write_tokens: 100 },
    };
    expect(fromOpenAiUsage(usage)).toEqual({
      input_tokens: 1200,
      output_tokens: 80,
      cache_read_tokens: 1024,
      cache_write_tokens: 100,
    });
  });

  it("reads a stream's last chunk usage (stream_options.include_usage) the same way", () => {
    expect(fromOpenAiUsage({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 })).toEqual({
      input_tokens: 12,
      output_tokens: 3,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
  });

  it('gives unknown counts for no usage, or a usage that is not an object of whole numbers', () => {
    expect(fromOpenAiUsage(undefined)).toEqual(UNKNOWN_USAGE);
    expect(fromOpenAiUsage(null)).toEqual(UNKNOWN_USAGE);
    expect(fromOpenAiUsage([1, 2])).toEqual(UNKNOWN_USAGE);
    expect(fromOpenAiUsage({ prompt_tokens: 1.5, completion_tokens: Infinity })).toEqual(UNKNOWN_USAGE);
  });
});

describe('fromSamplingUsage', () => {
  const base = { role: 'assistant', content: { type: 'text', text: 'x' }, model: 'm' };

  it('is unknown when the client reports nothing, as MCP defines no usage field', () => {
    expect(fromSamplingUsage(base)).toEqual(UNKNOWN_USAGE);
    expect(fromSamplingUsage({ ...base, _meta: { 'io.example/trace': 'x' } })).toEqual(UNKNOWN_USAGE);
  });

  it('reads camelCase counts in usage or _meta.usage', () => {
    const counts = { inputTokens: 42, outputTokens: 10 };
    const expected = { input_tokens: 42, output_tokens: 10, cache_read_tokens: null, cache_write_tokens: null };
    expect(fromSamplingUsage({ ...base, usage: counts })).toEqual(expected);
    expect(fromSamplingUsage({ ...base, _meta: { usage: counts } })).toEqual(expected);
    expect(
      fromSamplingUsage({ ...base, usage: { ...counts, cacheReadTokens: 30, cacheWriteTokens: 2 } }),
    ).toMatchObject({ cache_read_tokens: 30, cache_write_tokens: 2 });
  });

  it("reads the client's vendor usage passed through, Anthropic's or OpenAI's, with that vendor's meaning", () => {
    expect(
      fromSamplingUsage({
        ...base,
        _meta: { usage: { input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 5 } },
      }),
    ).toEqual({ input_tokens: 10, output_tokens: 2, cache_read_tokens: 5, cache_write_tokens: null });
    expect(fromSamplingUsage({ ...base, usage: { prompt_tokens: 10, completion_tokens: 2 } })).toEqual({
      input_tokens: 10,
      output_tokens: 2,
      cache_read_tokens: null,
      cache_write_tokens: null,
    });
  });
});
