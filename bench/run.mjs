/**
 * `npm run bench` (= `npm run build && node --expose-gc bench/run.mjs`): runs every benchmark of SPEC §11, prints
 * a table per benchmark and a summary of the targets, and writes every figure to bench/results.json together with
 * the machine it ran on. Ratios are always measured side by side within one run.
 *
 * Run a subset by name: node --expose-gc bench/run.mjs cold-start fan-out
 * (store-scaling, file-store, cold-start, dispatch-overhead, fan-out, tool-list-tokens, postgres); the other
 * benchmarks' figures in results.json are kept. file-store compares with another build when BATON_BENCH_BASE names
 * its checkout; BATON_BENCH_1M=1 adds 1M.
 * Temp stores go to $BATON_BENCH_TMP when set (to bench on a chosen disk), else the OS temp dir.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCHMARKS } from './benchmarks.mjs';
import { printStoreSummary } from './store-summary.mjs';
import { BENCH_DIR, ROOT_DIR, machineInfo, printChecks } from './util.mjs';

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const unknown = wanted.filter((w) => !BENCHMARKS.some((b) => b.name === w));
if (unknown.length > 0) {
  console.error(`unknown benchmark: ${unknown.join(', ')}; known: ${BENCHMARKS.map((b) => b.name).join(', ')}`);
  process.exit(2);
}
if (!existsSync(path.join(ROOT_DIR, 'dist', 'store', 'open-store.js'))) {
  console.error('dist/ is missing: the benchmarks run the built code; run `npm run build` first (or `npm run bench`).');
  process.exit(2);
}
if (!globalThis.gc) console.log('note: run with `node --expose-gc` for steadier memory figures');

const selected = wanted.length > 0 ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
const machine = machineInfo();
const started = new Date();
console.log(`Baton benchmarks, ${started.toISOString()}`);
console.log(`${machine.cpu} ×${machine.cpus}, ${machine.memory_mb} MB, ${machine.platform}, node ${machine.node}`);
console.log(`temp stores in ${machine.temp_dir}${machine.temp_fs ? ` (${machine.temp_fs})` : ''}`);

const benchmarks = {};
let failed = false;
for (const bench of selected) {
  console.log(`\n== ${bench.name} ==`);
  const t0 = performance.now();
  const at = new Date().toISOString();
  try {
    const result = await bench.run();
    result.timestamp = at;
    result.duration_s = Math.round((performance.now() - t0) / 100) / 10;
    benchmarks[bench.name] = result;
    bench.print(result);
    console.log(`(${bench.name}: ${result.duration_s} s)`);
  } catch (error) {
    failed = true;
    benchmarks[bench.name] = { timestamp: at, error: error?.stack ?? String(error), checks: [] };
    console.error(`${bench.name} failed: ${error?.stack ?? error}`);
  }
}

printStoreSummary(benchmarks);

const summary = Object.entries(benchmarks).flatMap(([name, r]) =>
  (r.checks ?? []).map((c) => ({ benchmark: name, ...c })),
);
if (summary.length > 0) {
  printChecks(
    'summary: SPEC §11 targets',
    summary.map((c) => ({ ...c, name: `${c.benchmark}: ${c.name}` })),
  );
}

const file = path.join(BENCH_DIR, 'results.json');
// A subset run keeps the other benchmarks' figures from the last results.json, each with its own timestamp.
const previous = wanted.length > 0 ? readPrevious(file) : null;
const merged = {};
for (const bench of BENCHMARKS) {
  const entry = benchmarks[bench.name] ?? previous?.benchmarks?.[bench.name];
  if (!entry) continue;
  merged[bench.name] = benchmarks[bench.name]
    ? entry
    : { timestamp: previous.timestamp, git_commit: previous.machine?.git_commit ?? null, ...entry };
}
const output = {
  timestamp: started.toISOString(),
  duration_s: Math.round((Date.now() - started.getTime()) / 100) / 10,
  machine,
  ...(previous ? { ran: selected.map((b) => b.name) } : {}),
  benchmarks: merged,
  summary: Object.entries(merged).flatMap(([name, r]) => (r.checks ?? []).map((c) => ({ benchmark: name, ...c }))),
};
writeFileSync(file, `${JSON.stringify(output, null, 2)}\n`);
console.log(`\nwrote ${path.relative(process.cwd(), file) || file}`);
if (failed) process.exitCode = 1;

function readPrevious(resultsFile) {
  try {
    return JSON.parse(readFileSync(resultsFile, 'utf8'));
  } catch {
    return null;
  }
}
