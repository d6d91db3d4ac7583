/**
 * Fan-out (SPEC §11): 100 `subagent_dispatch` calls in parallel through one stdio client (the SDK's Client over
 * StdioClientTransport) against Baton started with `--max-concurrency 100 --max-per-session 1000`, with the loopback
 * fake LLM (bench/fake-llm.mjs) answering each request after 200 ms. The wall time runs from issuing the first call
 * to the last answer. Target: wall ≤ 1.3 × 200 ms.
 *
 * Besides the wall, each round reports how many requests were at the fake at once (all 100, if Baton really runs
 * them in parallel) and a timeline on this process's clock, which is also the fake's: when the first and the last
 * request reached the fake (Baton's start-up cost per dispatch, serialised), when the fake sent its last answer,
 * and when the client had the last result (Baton's finishing cost), plus the server's CPU time in the round. One
 * untimed warm-up round comes first. For reference (not a target), rounds of 100 direct `openai` SDK calls at once
 * from a child process, replaying Baton's request body, are interleaved with Baton's: the floor of the set-up.
 * The first round after start (the warm-up) is reported against the median round: the first fan-out should not
 * pay for what could be loaded at start. With BATON_BENCH_BASE=<checkout with a built dist/> (say a worktree of
 * main), that build runs the same rounds, interleaved, on its own store: before and after in one run.
 * Set BATON_BENCH_CPU_PROF=<dir> to start Baton with `--cpu-prof`.
 *
 * Run alone: node bench/fan-out.mjs   (after `npm run build`)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { CLI_PATH, baseCliPath, batonArgs, batonSandbox, callOk, connectStdio, cpuTimeMs } from './baton-stdio.mjs';
import { DirectChild } from './direct-sdk-child.mjs';
import { startFakeLlm } from './fake-llm.mjs';
import { ROOT_DIR, isMain, printChecks, printTable, quantile, round } from './util.mjs';

export const name = 'fan-out';

const DEFAULTS = { dispatches: 100, latencyMs: 200, rounds: 12, warmupRounds: 1 };
/** A small fan-out for the benchmark smoke test (test/bench/benchmarks.test.ts). */
export const SMOKE = { dispatches: 10, latencyMs: 50, rounds: 1, warmupRounds: 1 };
const TARGET = 1.3;
const DIRECT_TARGET = 1.1;

export async function run(options = {}) {
  const config = { ...DEFAULTS, ...options };
  if (!existsSync(CLI_PATH)) {
    const reason = `${path.relative(ROOT_DIR, CLI_PATH)} not found: the ${name} bench needs \`npm run build\``;
    console.log(`${name}: skipped (${reason})`);
    return { skipped: true, reason, checks: [] };
  }
  const fake = await startFakeLlm({ latencyMs: config.latencyMs, text: 'Hello from echo.' });
  const box = batonSandbox('baton-bench-fanout-', fake.baseUrl);
  let baton = null;
  let base = null;
  let baseBox = null;
  let direct = null;
  try {
    const serverFlags = ['--max-concurrency', String(config.dispatches), '--max-per-session', '1000'];
    baton = await connectStdio(batonArgs(box, serverFlags), { cwd: box.tmp.dir, env: box.env });
    const baseCli = baseCliPath();
    if (baseCli) {
      baseBox = batonSandbox('baton-bench-fanout-base-', fake.baseUrl);
      base = await connectStdio(batonArgs(baseBox, serverFlags, baseCli), { cwd: baseBox.tmp.dir, env: baseBox.env });
    }

    direct = new DirectChild(fake.baseUrl);
    let body = null; // the request body Baton's provider sends, replayed by the direct calls

    /** One round: `issue()` starts every call at once and resolves to their answer times (ms after the start). */
    const fanOut = async (issue, pid) => {
      fake.reset();
      if (globalThis.gc) globalThis.gc();
      const cpu0 = cpuTimeMs(pid);
      const t0 = performance.now();
      const answers = await issue(t0);
      const wall = performance.now() - t0;
      const cpu1 = cpuTimeMs(pid);
      if (fake.requests !== config.dispatches) throw new Error(`${fake.requests} LLM requests in a round`);
      const arrived = fake.log.map((e) => e.arrived - t0);
      const answered = fake.log.map((e) => e.answered - t0);
      return {
        wall_ms: round(wall, 1),
        ratio: round(wall / config.latencyMs, 3),
        max_concurrent_at_llm: fake.maxInFlight,
        first_at_llm_ms: round(Math.min(...arrived), 1),
        last_at_llm_ms: round(Math.max(...arrived), 1),
        last_llm_answer_ms: round(Math.max(...answered), 1),
        first_result_ms: round(Math.min(...answers), 1),
        median_result_ms: round(quantile(answers, 0.5), 1),
        last_result_ms: round(Math.max(...answers), 1),
        cpu_ms: cpu0 === null || cpu1 === null ? null : round(cpu1 - cpu0, 0),
      };
    };
    const dispatchRound = (conn) => (index) =>
      fanOut(
        (t0) =>
          Promise.all(
            Array.from({ length: config.dispatches }, async (_, i) => {
              const args = { agent_id: 'echo', task: `Say hello, #${index}.${i}.` };
              const result = await callOk(conn, 'subagent_dispatch', args);
              if (result.structuredContent?.result !== fake.text) {
                throw new Error(`unexpected dispatch result: ${JSON.stringify(result.structuredContent)}`);
              }
              return performance.now() - t0;
            }),
          ),
        conn.pid,
      );
    const kinds = {
      baton: dispatchRound(baton),
      ...(base ? { base: dispatchRound(base) } : {}),
      direct: () =>
        fanOut(async () => (await direct.request({ n: config.dispatches, body, text: fake.text })).answers, direct.pid),
    };

    const warmup = [];
    const baseWarmup = [];
    for (let r = 0; r < config.warmupRounds; r++) {
      if (kinds.base) baseWarmup.push(await kinds.base(`bw${r}`));
      warmup.push(await kinds.baton(`w${r}`));
      body ??= structuredClone(fake.lastBody);
      await kinds.direct();
    }
    const rounds = [];
    const directRounds = [];
    const baseRounds = [];
    for (let r = 0; r < config.rounds; r++) {
      // Interleaved, the order alternating.
      if (r % 2 === 1) directRounds.push(await kinds.direct());
      if (r % 2 === 1 && kinds.base) baseRounds.push(await kinds.base(`b${r}`));
      rounds.push(await kinds.baton(r));
      if (r % 2 === 0 && kinds.base) baseRounds.push(await kinds.base(`b${r}`));
      if (r % 2 === 0) directRounds.push(await kinds.direct());
    }

    const walls = rounds.map((r) => r.wall_ms);
    const wallP50 = round(quantile(walls, 0.5), 1);
    const ratio = round(wallP50 / config.latencyMs, 3);
    const maxConcurrent = Math.min(...rounds.map((r) => r.max_concurrent_at_llm));
    const directWalls = directRounds.map((r) => r.wall_ms);
    const directP50 = round(quantile(directWalls, 0.5), 1);
    const toDirect = round(wallP50 / directP50, 3);
    const firstRound = warmup[0] ? round(warmup[0].wall_ms / wallP50, 3) : null;
    const baseP50 = baseRounds.length
      ? round(
          quantile(
            baseRounds.map((r) => r.wall_ms),
            0.5,
          ),
          1,
        )
      : null;
    return {
      config: {
        dispatches: config.dispatches,
        llm_latency_ms: config.latencyMs,
        rounds: config.rounds,
        warmup_rounds: config.warmupRounds,
        baton: `node ${path.relative(ROOT_DIR, CLI_PATH)} --store <tmp>/store.json --agents <tmp>/agents --max-concurrency ${config.dispatches} --max-per-session 1000`,
        measured: `${config.dispatches} tools/call subagent_dispatch issued at once on one SDK Client over stdio; wall = first call issued → last result`,
        figure: 'the median wall over the rounds',
        direct: `for reference, interleaved: ${config.dispatches} openai SDK calls at once from a child process, replaying Baton's request body`,
      },
      warmup,
      rounds,
      direct_rounds: directRounds,
      ...(base
        ? {
            base_build: baseCliPath(),
            base_warmup: baseWarmup,
            base_rounds: baseRounds,
            base_wall_p50_ms: baseP50,
            base_to_direct_p50: round(baseP50 / directP50, 3),
            base_first_round_to_median: baseWarmup[0] ? round(baseWarmup[0].wall_ms / baseP50, 3) : null,
          }
        : {}),
      wall_p50_ms: wallP50,
      wall_min_ms: round(Math.min(...walls), 1),
      wall_max_ms: round(Math.max(...walls), 1),
      ratio_p50: ratio,
      max_concurrent_at_llm: maxConcurrent,
      direct_wall_p50_ms: directP50,
      direct_ratio_p50: round(directP50 / config.latencyMs, 3),
      to_direct_p50: toDirect,
      first_round_to_median: firstRound,
      checks: [
        {
          name: `wall of ${config.dispatches} parallel dispatches / wall of ${config.dispatches} direct SDK calls (medians)`,
          value: toDirect,
          target: `≤ ${DIRECT_TARGET}`,
          ok: toDirect <= DIRECT_TARGET,
        },
        {
          name: `wall of ${config.dispatches} parallel dispatches / ${config.latencyMs} ms LLM latency (median round)`,
          value: ratio,
          target: `≤ ${TARGET}`,
          ok: ratio !== null && ratio <= TARGET,
        },
      ],
    };
  } finally {
    await baton?.close();
    await base?.close();
    baseBox?.tmp.cleanup();
    direct?.kill();
    await fake.close();
    box.tmp.cleanup();
  }
}

export function print(result) {
  if (result.skipped) return;
  const rows = [
    ...result.warmup.map((r, i) => ({ round: `warm-up ${i + 1}`, ...r })),
    ...result.rounds.map((r, i) => ({ round: String(i + 1), ...r })),
    ...result.direct_rounds.map((r, i) => ({ round: `direct SDK ${i + 1}`, ...r })),
    ...(result.base_rounds
      ? [
          ...result.base_warmup.map((r, i) => ({ round: `base warm-up ${i + 1}`, ...r })),
          ...result.base_rounds.map((r, i) => ({ round: `base ${i + 1}`, ...r })),
        ]
      : []),
  ];
  printTable(
    `fan-out: ${result.config.dispatches} parallel dispatches, fake LLM latency ${result.config.llm_latency_ms} ms (ms from the first call; CPU: of the process calling the LLM, from /proc)`,
    [
      { key: 'round', label: 'round' },
      { key: 'wall_ms', label: 'wall', digits: 1 },
      { key: 'ratio', label: '× latency', digits: 2 },
      { key: 'max_concurrent_at_llm', label: 'max at LLM', digits: 0 },
      { key: 'first_at_llm_ms', label: 'first at LLM', digits: 1 },
      { key: 'last_at_llm_ms', label: 'last at LLM', digits: 1 },
      { key: 'last_llm_answer_ms', label: 'last LLM answer', digits: 1 },
      { key: 'first_result_ms', label: 'first result', digits: 1 },
      { key: 'median_result_ms', label: 'median result', digits: 1 },
      { key: 'last_result_ms', label: 'last result', digits: 1 },
      { key: 'cpu_ms', label: 'CPU', digits: 0 },
    ],
    rows,
  );
  console.log(
    `median wall ${result.wall_p50_ms} ms (${result.wall_min_ms}–${result.wall_max_ms}), ${result.ratio_p50} × ${result.config.llm_latency_ms} ms;` +
      ` for reference, ${result.config.dispatches} direct openai SDK calls at once: ${result.direct_wall_p50_ms} ms (${result.direct_ratio_p50} ×)`,
  );
  console.log(
    `against the direct calls: ${result.to_direct_p50} ×; the first round after start: ${result.first_round_to_median} × the median round`,
  );
  if (result.base_rounds) {
    console.log(
      `base build (${result.base_build}): median wall ${result.base_wall_p50_ms} ms, ${result.base_to_direct_p50} × the direct calls;` +
        ` its first round ${result.base_first_round_to_median} × its median`,
    );
  }
  console.log(
    `requests at the fake LLM at once: at most ${result.max_concurrent_at_llm} of ${result.config.dispatches} in the worst round` +
      ' (fewer than all when the last request reaches the LLM after the first one has been answered)',
  );
  printChecks('fan-out: targets', result.checks);
}

if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
