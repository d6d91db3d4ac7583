import { describe, expect, it } from 'vitest';
import {
  installedAnthropicCatalog,
  newestOfFamily,
  parseDeprecated,
  parseModelUnion,
} from '../../src/providers/anthropic-models.js';
import type { AnthropicCatalog } from '../../src/providers/anthropic-models.js';

const catalog = (models: string[], deprecated: Record<string, string> = {}): AnthropicCatalog => ({
  models,
  deprecated,
  source: 'test',
});

describe('anthropic models', () => {
  it('reads the Model union and the deprecation table of the installed SDK', () => {
    const installed = installedAnthropicCatalog();
    expect(installed.source).toMatch(/^@anthropic-ai\/sdk \d+\.\d+\.\d+/);
    expect(installed.models.length).toBeGreaterThan(5);
    expect(installed.models.every((id) => id.startsWith('claude-'))).toBe(true);
    // Whatever it holds today, each alias resolves to a listed, non-deprecated model of its family.
    for (const family of ['sonnet', 'opus', 'haiku'] as const) {
      const id = newestOfFamily(installed, family);
      expect(id).toMatch(new RegExp(`^claude-${family}-`));
      expect(installed.models).toContain(id);
      expect(installed.deprecated[id!]).toBeUndefined();
    }
  });

  it('parses the declarations and the table as the SDK writes them', () => {
    expect(parseModelUnion("export type Model = 'claude-a-1' | 'claude-b-2' | (string & {});")).toEqual([
      'claude-a-1',
      'claude-b-2',
    ]);
    expect(parseDeprecated("const DEPRECATED_MODELS = {\n    'claude-x': 'June 1st, 2026',\n};")).toEqual({
      'claude-x': 'June 1st, 2026',
    });
  });

  it('picks the highest version of the family, the undated alias first, skipping deprecated ones', () => {
    const models = [
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-sonnet-5',
      'claude-sonnet-5-5',
      'claude-sonnet-5-5-20260101',
      'claude-sonnet-6-20270101',
      'claude-opus-4-8',
      'claude-mythos-preview',
    ];
    expect(newestOfFamily(catalog(models), 'sonnet')).toBe('claude-sonnet-6-20270101');
    expect(newestOfFamily(catalog(models, { 'claude-sonnet-6-20270101': 'soon' }), 'sonnet')).toBe('claude-sonnet-5-5');
    expect(newestOfFamily(catalog(models), 'opus')).toBe('claude-opus-4-8');
    expect(newestOfFamily(catalog(models), 'fable')).toBeUndefined();
  });
});
