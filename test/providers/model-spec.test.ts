import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { parseModelSpec } from '../../src/providers/model-spec.js';

describe('parseModelSpec', () => {
  it.each([
    ['anthropic:claude-sonnet-4-5', 'anthropic', 'claude-sonnet-4-5'],
    ['openai:gpt-4o', 'openai', 'gpt-4o'],
    ['openai:llama3.1:8b', 'openai', 'llama3.1:8b'],
    ['OpenAI:qwen2.5', 'openai', 'qwen2.5'],
    ['claude-3-5-haiku-latest', 'anthropic', 'claude-3-5-haiku-latest'],
    ['gpt-4.1-mini', 'openai', 'gpt-4.1-mini'],
    ['o1', 'openai', 'o1'],
    ['o3-mini', 'openai', 'o3-mini'],
    ['o4-mini', 'openai', 'o4-mini'],
    ['sampling', 'sampling', ''],
    ['sampling:claude-sonnet', 'sampling', 'claude-sonnet'],
    ['inherit', 'inherit', ''],
  ])('parses %s as provider %s, model %s', (spec, provider, model) => {
    expect(parseModelSpec(spec)).toEqual({ provider, model });
  });

  it.each([
    ['sonnet', 'sonnet'],
    ['  Opus  ', 'opus'],
    ['haiku', 'haiku'],
    ['fable', 'fable'],
    ['anthropic:haiku', 'haiku'],
  ])('parses the alias %s as its family, for the resolver to pick the model', (spec, family) => {
    expect(parseModelSpec(spec)).toEqual({ provider: 'anthropic', model: family, family });
  });

  it('takes only its own aliases: "constructor" or "toString" is no model', () => {
    expect(() => parseModelSpec('constructor')).toThrow(/unknown model 'constructor'/);
    expect(parseModelSpec('anthropic:toString')).toEqual({ provider: 'anthropic', model: 'toString' });
  });

  it.each(['llama3', 'mistral:7b', 'openai:', 'inherit:x', '', 'google:gemini-2.5-pro', 'only'])(
    'throws a ConfigError listing the accepted forms when the spec is %j',
    (spec) => {
      expect(() => parseModelSpec(spec)).toThrow(ConfigError);
      expect(() => parseModelSpec(spec)).toThrow(
        /accepted: provider:model .*sonnet, opus, haiku, fable.*sampling, or inherit/,
      );
    },
  );
});
