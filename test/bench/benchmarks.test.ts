/**
 * The benchmark smoke test: every benchmark `npm run bench` runs (bench/benchmarks.mjs) runs at tiny sizes, in a
 * child process of its own (smoke-child.mjs), and returns figures without throwing: a change to the store, its
 * records or the server that breaks a benchmark fails here, not at the next `npm run bench`. The figures are not
 * judged (that is what the benchmarks are for, side by side, never timed tests); only that there are figures.
 * Runs the built code (dist/; `npm test` builds first). The postgres benchmark uses the test run's server.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { postgresSkipped, postgresUrl } from '../helpers/postgres.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CHILD = path.join(HERE, 'smoke-child.mjs');

interface BenchModule {
  name: string;
  SMOKE?: Record<string, unknown>;
}
interface Check {
  name: string;
  value: unknown;
}
interface Figures {
  skipped?: boolean;
  reason?: string;
  checks: Check[];
}

const benchUrl = (file: string) => pathToFileURL(path.join(HERE, '../../bench', file)).href;
const { BENCHMARKS } = (await import(benchUrl('benchmarks.mjs'))) as { BENCHMARKS: BenchModule[] };
const { storeSummary } = (await import(benchUrl('store-summary.mjs'))) as {
  storeSummary: (figures: Record<string, Figures>) => Record<string, unknown>[];
};

/** Runs one benchmark at its SMOKE options in a child process; its figures, or its error with its output. */
function runSmoke(name: string, env: NodeJS.ProcessEnv): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = fork(CHILD, [name], { execArgv: ['--expose-gc'], env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    let message: { result?: Figures; error?: string } | null = null;
    child.on('message', (m) => (message = m as typeof message));
    child.on('exit', (code) => {
      const m = message as { result?: Figures; error?: string } | null;
      if (m?.result) resolve(m.result);
      else reject(new Error(`benchmark ${name} failed (exit ${code}): ${m?.error ?? ''}\n${output.slice(-4000)}`));
    });
  });
}

function benchEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('BATON_')) env[key] = value;
  return { ...env, ...extra };
}

describe('benchmarks, at tiny sizes', () => {
  const ran: Record<string, Figures> = {};

  it('lists every benchmark with its smoke options', () => {
    expect(BENCHMARKS.map((b) => b.name)).toEqual([
      'store-scaling',
      'file-store',
      'cold-start',
      'dispatch-overhead',
      'fan-out',
      'tool-list-tokens',
      'postgres',
    ]);
    for (const bench of BENCHMARKS) expect(bench.SMOKE, `${bench.name} exports SMOKE`).toBeTypeOf('object');
  });

  for (const bench of BENCHMARKS) {
    const skip = bench.name === 'postgres' && postgresSkipped !== null;
    it.skipIf(skip)(`${bench.name} returns figures`, { timeout: 120_000 }, async () => {
      const env = bench.name === 'postgres' ? benchEnv({ BATON_BENCH_PG_URL: await postgresUrl() }) : benchEnv();
      const figures = await runSmoke(bench.name, env);
      ran[bench.name] = figures;
      expect(figures.skipped, figures.reason).toBeFalsy();
      expect(figures.checks.length).toBeGreaterThan(0);
      for (const check of figures.checks) {
        // With the figures, so that a failure in CI says what the benchmark measured.
        const measured = JSON.stringify(figures).slice(0, 4000);
        expect(Number.isFinite(check.value), `${bench.name}: ${check.name} = ${String(check.value)}; ${measured}`).toBe(
          true,
        );
      }
    });
  }

  it("gathers issue 15's table by store size from the store benchmarks' figures", () => {
    if (!ran['store-scaling'] || !ran['file-store']) return; // one of them failed above
    const row = storeSummary(ran).find((r) => r.tasks === 1_000 && r.build === 'branch');
    for (const key of ['cycles_c1', 'worst_ms', 'steady_worst_ms', 'init_ms', 'rss_mb', 'xp_p50_ms', 'list_p99_ms']) {
      expect(Number.isFinite(row?.[key]), `${key} = ${String(row?.[key])}`).toBe(true);
    }
  });
});
