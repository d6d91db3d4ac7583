/**
 * pg in the shipped bundle (scripts/bundle.mjs): esbuild bundles it with its optional native binding left out,
 * the bundled client connects and migrates, and it stays out of the CLI's start-up chunks (it may load only
 * behind a dynamic import, when `--store` is a postgres:// URL).
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as EsbuildModule from 'esbuild';
import type { BuildOptions } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../../src/store/postgres/migrations/index.js';
import { tempDir } from '../../helpers/core.js';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const esbuild = createRequire(import.meta.url)('esbuild') as typeof EsbuildModule;

interface Metafile {
  outputs: Record<
    string,
    { entryPoint?: string; imports: Array<{ path: string; kind: string }>; inputs: Record<string, unknown> }
  >;
}

async function bundleOptions(): Promise<BuildOptions> {
  const { bundleOptions } = (await import(path.join(ROOT, 'scripts', 'bundle.mjs'))) as {
    bundleOptions: () => BuildOptions;
  };
  return bundleOptions();
}

/** The inputs of an entry's output and of every chunk it imports statically: what loads at its start. */
function loadedAtStart(meta: Metafile, entry: string): Set<string> {
  const [first] = Object.entries(meta.outputs).find(([, o]) => o.entryPoint === entry) ?? [];
  if (!first) throw new Error(`no output for ${entry}`);
  const inputs = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const output = meta.outputs[file];
    if (!output) return;
    for (const input of Object.keys(output.inputs)) inputs.add(input);
    for (const i of output.imports) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(first);
  return inputs;
}

const isPg = (input: string) => /node_modules\/pg(-[a-z]+)?\//.test(input);

describe('pg in the bundle', () => {
  it('is not in what the CLI loads at start', async () => {
    const result = await esbuild.build({ ...(await bundleOptions()), outdir: 'out', write: false, metafile: true });
    const atStart = [...loadedAtStart(result.metafile as Metafile, 'src/cli.ts')];
    expect(atStart.filter(isPg)).toEqual([]);
    expect(atStart.filter((i) => i.startsWith('src/store/postgres/'))).toEqual([]);
  });
});

describePostgres('the bundled PostgreSQL client', () => {
  const db = freshDatabase();
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('baton-pg-bundle-'));
  });
  afterAll(async () => {
    await cleanup?.();
  });

  it('bundles with pg-native left out, loads behind a dynamic import, connects and migrates', async () => {
    const entry = path.join(dir, 'entry.ts');
    // What part B's open-store.ts does when --store is a postgres:// URL.
    await writeFile(
      entry,
      `const { openDatabase } = await import(${JSON.stringify(path.join(ROOT, 'src/store/postgres/database.ts'))});
       const db = await openDatabase(process.argv[2]);
       process.stdout.write(JSON.stringify(db.schema));
       await db.close();`,
    );
    const result = await esbuild.build({
      ...(await bundleOptions()),
      entryPoints: [entry],
      outdir: path.join(dir, 'out'),
      metafile: true,
    });
    const meta = result.metafile as Metafile;
    const entryInput = path.relative(ROOT, entry);
    expect([...loadedAtStart(meta, entryInput)].filter(isPg)).toEqual([]);
    const all = Object.values(meta.outputs).flatMap((o) => Object.keys(o.inputs));
    expect(all.some((i) => i.startsWith('node_modules/pg/'))).toBe(true);
    expect(all.some((i) => i.includes('pg-native'))).toBe(false);

    const { stdout } = await promisify(execFile)(process.execPath, [path.join(dir, 'out', 'entry.js'), db.url], {
      cwd: dir,
    });
    expect(JSON.parse(stdout)).toEqual({ from: 0, to: SCHEMA_VERSION });
  });
});
