import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import type { Logger } from '../../src/log.js';
import type { AnthropicCatalog } from '../../src/providers/anthropic-models.js';
import { createModelResolver } from '../../src/providers/model-resolver.js';

const catalog: AnthropicCatalog = {
  models: ['claude-sonnet-5-5', 'claude-sonnet-4-5', 'claude-opus-4-8', 'claude-haiku-4-5', 'claude-fable-5-2'],
  deprecated: { 'claude-sonnet-4-5': 'November 30th, 2026' },
  source: '@anthropic-ai/sdk test',
};

function recorder() {
  const warnings: string[] = [];
  const log: Logger = { debug() {}, info() {}, error() {}, warn: (m) => void warnings.push(m) };
  return { log, warnings };
}

describe('ModelResolver', () => {
  it('resolves the aliases to the newest non-deprecated model of their family', () => {
    const models = createModelResolver({ catalog: () => catalog });
    expect(models.resolve('sonnet')).toEqual({ provider: 'anthropic', model: 'claude-sonnet-5-5' });
    expect(models.resolve('anthropic:opus')).toEqual({ provider: 'anthropic', model: 'claude-opus-4-8' });
    expect(models.resolve('HAIKU')).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' });
    expect(models.resolve('fable')).toEqual({ provider: 'anthropic', model: 'claude-fable-5-2' });
    expect(models.resolve('openai:gpt-4.1')).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    expect(models.resolve('inherit')).toEqual({ provider: 'inherit', model: '' });
  });

  it('maps an alias, a whole vendor or one model to another provider', () => {
    const models = createModelResolver({
      catalog: () => catalog,
      map: { sonnet: 'openai:qwen3', 'anthropic:*': 'openai:llama3.1:8b', 'openai:gpt-4o': 'openai:gpt-4.1' },
    });
    expect(models.resolve('sonnet')).toEqual({ provider: 'openai', model: 'qwen3' });
    expect(models.resolve('opus')).toEqual({ provider: 'openai', model: 'llama3.1:8b' });
    expect(models.resolve('claude-opus-4-8')).toEqual({ provider: 'openai', model: 'llama3.1:8b' });
    expect(models.resolve('gpt-4o')).toEqual({ provider: 'openai', model: 'gpt-4.1' });
    // vendor:* as the target keeps the model name (an OpenAI-compatible proxy serving Claude models).
    const proxied = createModelResolver({ catalog: () => catalog, map: { 'anthropic:*': 'openai:*' } });
    expect(proxied.resolve('haiku')).toEqual({ provider: 'openai', model: 'claude-haiku-4-5' });
  });

  it('looks only at its own map entries: "constructor" or "toString" is an unknown model, not a crash', () => {
    const models = createModelResolver({ catalog: () => catalog, map: { sonnet: 'openai:qwen3' } });
    for (const spec of ['constructor', 'toString', '__proto__']) {
      expect(() => models.resolve(spec), spec).toThrow(ConfigError);
      expect(() => models.resolve(spec), spec).toThrow(`unknown model '${spec}'`);
    }
  });

  it('needs no SDK catalog when the alias is mapped away', () => {
    const models = createModelResolver({
      catalog: () => {
        throw new Error('not installed');
      },
      map: { sonnet: 'openai:qwen3' },
    });
    expect(models.resolve('sonnet')).toEqual({ provider: 'openai', model: 'qwen3' });
    expect(() => models.resolve('opus')).toThrow(/cannot resolve the model alias 'opus': not installed/);
  });

  it('refuses a map that loops, naming the chain', () => {
    const models = createModelResolver({ catalog: () => catalog, map: { sonnet: 'opus', opus: 'sonnet' } });
    expect(() => models.resolve('sonnet')).toThrow(ConfigError);
    expect(() => models.resolve('sonnet')).toThrow(/loops.*sonnet → opus → sonnet/);
  });

  it('warns once per deprecated model, however often it is resolved', () => {
    const { log, warnings } = recorder();
    const models = createModelResolver({ catalog: () => catalog, log });
    for (let i = 0; i < 3; i++) models.resolve('anthropic:claude-sonnet-4-5');
    models.resolve('sonnet');
    expect(warnings).toEqual([
      'model claude-sonnet-4-5 is deprecated and reaches end of life on November 30th, 2026; move to a newer model',
    ]);
  });
});
