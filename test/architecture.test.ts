/**
 * The layout rules of STYLE.md, checked on the source (issue 9): no import circles (the one in mcp/ is gone),
 * dependencies that point one way, records that belong to no backend, each technology imported in one place, and
 * files a reader holds in their head.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

const files = sources(SRC);
const rel = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

/** Every module a file imports (static, re-exports, dynamic): relative ones as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [
    ...text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'([^']+)'/gms),
    ...text.matchAll(/import\(\s*'([^']+)'\s*\)/g),
  ].map((m) => m[1] as string);
  return specifiers.map((s) =>
    s.startsWith('.') ? rel(path.resolve(path.dirname(file), s.replace(/\.js$/, '.ts'))) : s,
  );
}

const graph = new Map(files.map((f) => [rel(f), importsOf(f)]));
const local = (name: string) => name.endsWith('.ts');

/** The src-relative files that `prefix` (a folder or file) imports from outside, matching `matches`. */
function offending(prefix: string, matches: (imported: string) => boolean): string[] {
  return [...graph]
    .filter(([file]) => file.startsWith(prefix))
    .flatMap(([file, imports]) => imports.filter(matches).map((i) => `${file} → ${i}`));
}

describe('the source layout', () => {
  it('has no import circles', () => {
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...trail.slice(trail.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (local(next) && graph.has(next)) visit(next, [...trail, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('keeps the records free of Baton parts: model/ imports only model/', () => {
    expect(offending('model/', (i) => local(i) && !i.startsWith('model/'))).toEqual([]);
  });

  it('has events, providers and tools name records from model/, never the store', () => {
    expect(offending('events/', (i) => i.startsWith('store/'))).toEqual([]);
    expect(offending('providers/', (i) => i.startsWith('store/'))).toEqual([]);
    expect(offending('tools/', (i) => i.startsWith('store/') || i.startsWith('runtime/'))).toEqual([]);
  });

  it('points dependencies one way: store → model; tasks → store; runtime → tasks; mcp → runtime', () => {
    const outside = (allowed: string[]) => (i: string) =>
      local(i) && !allowed.some((a) => i.startsWith(a)) && !['errors.ts', 'log.ts', 'version.ts'].includes(i);
    expect(offending('store/', outside(['store/', 'model/', 'util/']))).toEqual([]);
    expect(offending('util/', outside(['util/']))).toEqual([]); // a leaf: generic helpers, no Baton parts
    expect(
      offending('tasks/', (i) => ['runtime/', 'mcp/', 'transports/', 'cli/'].some((p) => i.startsWith(p))),
    ).toEqual([]);
    expect(offending('runtime/', (i) => ['mcp/', 'transports/', 'cli/'].some((p) => i.startsWith(p)))).toEqual([]);
  });

  it("keeps the board's server side below the transports: board/ imports no runtime, mcp, transports or cli", () => {
    const above = ['runtime/', 'mcp/', 'transports/', 'cli/'];
    expect(offending('board/', (i) => above.some((p) => i.startsWith(p)))).toEqual([]);
    // The page (board/ui/) knows Baton only through the board contract's JSON.
    expect(offending('board/ui/', (i) => local(i) && !i.startsWith('board/ui/'))).toEqual([]);
  });

  it('imports each technology in one place: lowdb and the lock in store/file/, the MCP SDK in mcp/ and transports/', () => {
    const lowdb = (i: string) => i === 'lowdb' || i === 'proper-lockfile';
    expect([...graph.keys()].filter((f) => graph.get(f)!.some(lowdb) && !f.startsWith('store/file/'))).toEqual([]);
    const sdk = (i: string) => i.startsWith('@modelcontextprotocol/sdk');
    const allowed = ['mcp/', 'transports/', 'tools/mcp-client/'];
    expect([...graph.keys()].filter((f) => graph.get(f)!.some(sdk) && !allowed.some((a) => f.startsWith(a)))).toEqual(
      [],
    );
  });

  it(`keeps every file under ${MAX_LINES} lines`, () => {
    const long = files
      .map((f) => [rel(f), readFileSync(f, 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
