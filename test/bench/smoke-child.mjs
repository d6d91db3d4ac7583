/**
 * Runs one benchmark of bench/benchmarks.mjs at its SMOKE options and prints its table, for the benchmark smoke
 * test (benchmarks.test.ts): `node smoke-child.mjs <name>`, forked with IPC; sends `{ result }` or `{ error }`.
 * Runs the built code (dist/), as `npm run bench` does.
 */
import { BENCHMARKS } from '../../bench/benchmarks.mjs';

const bench = BENCHMARKS.find((b) => b.name === process.argv[2]);
try {
  if (!bench) throw new Error(`no benchmark named ${process.argv[2]}`);
  const result = await bench.run(bench.SMOKE);
  bench.print(result);
  process.send({ result }, () => process.exit(0));
} catch (error) {
  process.send({ error: error?.stack ?? String(error) }, () => process.exit(1));
}
