/**
 * Every benchmark of SPEC §11, in the order `npm run bench` runs them (bench/run.mjs). Each module exports `name`,
 * `run(options?)` → figures (with `checks`), `print(figures)`, and `SMOKE`: the tiny options the benchmark smoke
 * test (test/bench/benchmarks.test.ts) runs it with, so that a change that breaks a benchmark fails the tests.
 */
import * as coldStart from './cold-start.mjs';
import * as dispatchOverhead from './dispatch-overhead.mjs';
import * as fanOut from './fan-out.mjs';
import * as fileStore from './file-store.mjs';
import * as postgres from './postgres.mjs';
import * as storeScaling from './store-scaling.mjs';
import * as toolListTokens from './tool-list-tokens.mjs';

export const BENCHMARKS = [storeScaling, fileStore, coldStart, dispatchOverhead, fanOut, toolListTokens, postgres];
