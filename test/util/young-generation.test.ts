/**
 * The young generation is not grown by start-up or a bulk build (src/util/young-generation.ts; issue 15, item 5:
 * ~20 MB of a 100k-task server's RSS was V8's young generation, grown by the load and kept). Read from V8's own
 * heap statistics in child processes, whose young generation nothing else has grown: held, it stays at its first
 * size (2 × 1 MB here); not held, the same build grows it several times over.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { eachTempStore } from '../helpers/core.js';
import { startStdio } from '../helpers/stdio.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const MODULE = pathToFileURL(path.join(ROOT, 'dist', 'util', 'young-generation.js')).href;
const MB = 1024 * 1024;
/** Two semi-spaces of V8's first size (1 MB each), with room for rounding; a grown one is 4 MB and up. */
const UNGROWN = 2.5 * MB;

/** A build that keeps what it allocates (300k small objects), held or not; new space's size after it. */
async function newSpaceAfterBuild(held: boolean): Promise<number> {
  const script = `
    import v8 from 'node:v8';
    const { withoutYoungGrowthSync } = await import(${JSON.stringify(MODULE)});
    const kept = [];
    const build = () => { for (let i = 0; i < 300_000; i++) kept.push({ i, s: 'task-' + i }); };
    if (${held}) withoutYoungGrowthSync(build); else build();
    const space = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
    console.log(JSON.stringify({ size: space.physical_space_size, kept: kept.length }));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script]);
  return (JSON.parse(stdout) as { size: number }).size;
}

describe('the young generation during bulk builds', () => {
  let dir: string;
  eachTempStore((_, d) => (dir = d));

  it('is not grown by a build run without young growth, and is by the same build otherwise', async () => {
    const held = await newSpaceAfterBuild(true);
    const free = await newSpaceAfterBuild(false);
    expect(held).toBeLessThanOrEqual(UNGROWN);
    expect(free).toBeGreaterThan(2 * held);
  });

  it('is not grown by the built CLI starting and opening its store', async () => {
    // A probe loaded before the CLI (NODE_OPTIONS=--import) records the largest new space it sees.
    const probe = path.join(dir, 'probe.mjs');
    const out = path.join(dir, 'new-space.txt');
    await writeFile(
      probe,
      `import v8 from 'node:v8';
       import { writeFileSync } from 'node:fs';
       let largest = 0;
       const look = () => {
         const size = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').physical_space_size;
         if (size > largest) writeFileSync(${JSON.stringify(out)}, String((largest = size)));
       };
       look();
       setInterval(look, 5).unref();`,
    );
    const host = await startStdio(['--store', path.join(dir, 'store.json')], {
      NODE_OPTIONS: `--import=${pathToFileURL(probe).href}`,
    });
    try {
      await host.ok('delegate_task', { assignee_id: 'bob', description: 'once the store is open' });
      await host.ok('list_tasks', {});
      await new Promise((resolve) => setTimeout(resolve, 50)); // a last look by the probe
    } finally {
      await host.close();
    }
    expect(Number(await readFile(out, 'utf8'))).toBeLessThanOrEqual(UNGROWN);
  });
});
