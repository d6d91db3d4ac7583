/**
 * The Anthropic models the installed `@anthropic-ai/sdk` knows, read from the package's own files at run time: the
 * `Model` union of its type declarations, and the deprecation table its `messages.create` checks. Reading files does
 * not load the SDK, so this costs nothing until an alias is resolved, and it follows whatever SDK is installed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { errorMessage } from '../errors.js';
import type { ModelFamily } from './model-spec.js';

/** What the installed SDK lists. */
export interface AnthropicCatalog {
  /** Model ids, as the SDK's `Model` type lists them. */
  models: readonly string[];
  /** Deprecated model id → the end-of-life date the SDK gives. */
  deprecated: Readonly<Record<string, string>>;
  /** Where the list came from, for messages. */
  source: string;
}

let cached: AnthropicCatalog | undefined;

/** The installed SDK's catalog (read once); throws with the reason when its files cannot be read. */
export function installedAnthropicCatalog(): AnthropicCatalog {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let root: string;
  try {
    root = path.dirname(require.resolve('@anthropic-ai/sdk/package.json'));
  } catch {
    // Its "exports" may not list package.json; the main entry sits at the package root.
    root = path.dirname(require.resolve('@anthropic-ai/sdk'));
  }
  const read = (file: string) => {
    try {
      return readFileSync(path.join(root, file), 'utf8');
    } catch (error) {
      throw new Error(`cannot read ${file} of @anthropic-ai/sdk: ${errorMessage(error)}`, { cause: error });
    }
  };
  const version = (JSON.parse(read('package.json')) as { version?: string }).version ?? '?';
  const models = parseModelUnion(read(path.join('resources', 'messages', 'messages.d.ts')));
  let deprecated: Record<string, string> = {};
  for (const file of [
    path.join('internal', 'data', 'deprecated-models.js'),
    path.join('resources', 'messages', 'messages.js'),
  ]) {
    try {
      deprecated = { ...parseDeprecated(read(file)), ...deprecated };
    } catch {
      // Older SDKs keep the table in one of the two files only.
    }
  }
  cached = { models, deprecated, source: `@anthropic-ai/sdk ${version}` };
  return cached;
}

/** The model ids of `export type Model = 'a' | 'b' | (string & {});`. */
export function parseModelUnion(declarations: string): string[] {
  const union = /export type Model\s*=([^;]+);/.exec(declarations)?.[1] ?? '';
  return [...union.matchAll(/'([^']+)'/g)].map((match) => match[1]!);
}

/** The entries of `DEPRECATED_MODELS = { 'model': 'date', … }`. */
export function parseDeprecated(source: string): Record<string, string> {
  const table = /DEPRECATED_MODELS\s*=\s*\{([^}]*)\}/.exec(source)?.[1] ?? '';
  return Object.fromEntries([...table.matchAll(/'([^']+)'\s*:\s*'([^']*)'/g)].map((m) => [m[1]!, m[2]!]));
}

interface Version {
  id: string;
  major: number;
  minor: number;
  /** 0 for the undated alias, which Anthropic points at the latest snapshot. */
  date: number;
}

/**
 * The newest model of a family that is not deprecated: the highest version (`claude-sonnet-5-5` > `claude-sonnet-5`
 * > `claude-sonnet-4-6`), its undated alias before a dated snapshot. Undefined when the catalog has none.
 */
export function newestOfFamily(catalog: AnthropicCatalog, family: ModelFamily): string | undefined {
  const pattern = new RegExp(`^claude-${family}-(\\d+)(?:-(\\d{1,2}))?(?:-(\\d{8}))?$`);
  const versions: Version[] = [];
  for (const id of catalog.models) {
    const match = pattern.exec(id);
    if (!match || id in catalog.deprecated) continue;
    versions.push({ id, major: Number(match[1]), minor: Number(match[2] ?? 0), date: Number(match[3] ?? 0) });
  }
  versions.sort((a, b) => b.major - a.major || b.minor - a.minor || a.date - b.date);
  return versions[0]?.id;
}
