/**
 * Dispatch overhead (SPEC §11): p50 of `subagent_dispatch` over stdio, driving the built CLI with the SDK's Client
 * and StdioClientTransport, against a loopback fake LLM (bench/fake-llm.mjs) that answers at once; over the sum of
 * two baselines measured side by side, interleaved call by call in the same run:
 *   (a) a plain MCP tool round trip over stdio: the `echo` tool of bench/minimal-server.mjs, same Client class;
 *   (b) a direct `openai` SDK call to the same fake, replaying the exact request body Baton's provider sent, from a
 *       child process (bench/direct-sdk-child.mjs), as Baton's provider calls it from Baton's process: both cross a
 *       process boundary to reach the fake. The same call made from this process, the fake's own, is reported too
 *       ("direct SDK call, in the fake's process", and the ratio over it): it pays no hop between processes, which
 *       on this 2-core VM is 0.5 ms cheaper, and no server can match that.
 * The same dispatch is also measured on servers whose stores already hold 100k tasks (and 1M with BATON_BENCH_1M=1).
 * Target: p50(dispatch) / (p50(round trip) + p50(direct SDK call)) ≤ 1.25.
 *
 * The fake runs in this process, on the same clock as the client, so each dispatch is also split into "before the
 * LLM" (client sends → the request body has arrived at the fake) and "after the LLM" (the fake answered → the
 * client has the result), which tells where Baton's own time goes; the direct SDK call is split the same way.
 *
 * Baton runs as shipped (package.json's bin, `node dist/bin/cli.js --store <tmp>/store.json --agents <tmp>/agents`)
 * from a temp working directory with HOME pointing into it and no BATON_* variables, so the machine's own agents and
 * config stay out of it.
 * Set BATON_BENCH_CPU_PROF=<dir> to start the Baton server with `--cpu-prof --cpu-prof-dir <dir>`. With
 * BATON_BENCH_BASE=<checkout with a built dist/> (say a worktree of main), that build's dispatch runs too, as a
 * fourth kind interleaved with the others, against its own store: before and after in one run.
 *
 * Run alone: node bench/dispatch-overhead.mjs   (after `npm run build`)
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CLI_PATH,
  MINIMAL_PATH,
  baseCliPath,
  batonArgs,
  batonSandbox,
  callOk,
  connectStdio,
  cpuTimeMs,
} from './baton-stdio.mjs';
import { DirectChild } from './direct-sdk-child.mjs';
import { startFakeLlm } from './fake-llm.mjs';
import { makeTasks, writeFileStore } from './store-scaling.mjs';
import { ROOT_DIR, isMain, monotonicMs, printChecks, printTable, quantile, round, shuffledOrders } from './util.mjs';

export const name = 'dispatch-overhead';

/** `storeSizes`: more Baton servers, each on a store of that many tasks written before it starts, measured alongside. */
const DEFAULTS = {
  iterations: 300,
  warmup: 40,
  storeSizes: process.env.BATON_BENCH_1M === '1' ? [100_000, 1_000_000] : [100_000],
};
/** Few iterations for the benchmark smoke test (test/bench/benchmarks.test.ts). */
export const SMOKE = { iterations: 20, warmup: 5, storeSizes: [300] };
const TARGET = 1.25;

const p50 = (values) => round(quantile(values, 0.5), 3);

const stats = (values) => ({
  p50_ms: round(quantile(values, 0.5), 3),
  p90_ms: round(quantile(values, 0.9), 3),
  min_ms: round(values.length ? Math.min(...values) : null, 3),
  max_ms: round(values.length ? Math.max(...values) : null, 3),
  mean_ms: round(values.length ? values.reduce((a, b) => a + b, 0) / values.length : null, 3),
});

export async function run(options = {}) {
  const config = { ...DEFAULTS, ...options };
  if (!existsSync(CLI_PATH)) {
    const reason = `${path.relative(ROOT_DIR, CLI_PATH)} not found: the ${name} bench needs \`npm run build\``;
    console.log(`${name}: skipped (${reason})`);
    return { skipped: true, reason, checks: [] };
  }
  const fake = await startFakeLlm({ latencyMs: 0, text: 'Hello from echo.' });
  const box = batonSandbox('baton-bench-dispatch-', fake.baseUrl);
  const boxes = [box];
  const conns = [];
  let directChild = null;
  try {
    const baton = await connectStdio(batonArgs(box), { cwd: box.tmp.dir, env: box.env });
    conns.push(baton);
    const minimal = await connectStdio([MINIMAL_PATH], { cwd: box.tmp.dir, env: box.env });
    conns.push(minimal);
    const baseCli = baseCliPath();
    let base = null;
    if (baseCli) {
      const baseBox = batonSandbox('baton-bench-dispatch-base-', fake.baseUrl);
      boxes.push(baseBox);
      base = await connectStdio(batonArgs(baseBox, [], baseCli), { cwd: baseBox.tmp.dir, env: baseBox.env });
      conns.push(base);
    }
    const sized = [];
    for (const size of config.storeSizes) {
      const sizedBox = batonSandbox(`baton-bench-dispatch-${size}-`, fake.baseUrl);
      boxes.push(sizedBox);
      await writeFileStore(sizedBox.store, await makeTasks(size, Date.now()));
      const conn = await connectStdio(batonArgs(sizedBox), { cwd: sizedBox.tmp.dir, env: sizedBox.env });
      conns.push(conn);
      sized.push({ size, kind: `store_${size}`, conn });
    }
    const { default: OpenAI } = await import('openai');
    const openai = new OpenAI({ apiKey: 'x', baseURL: fake.baseUrl, maxRetries: 0 });
    directChild = new DirectChild(fake.baseUrl);

    const dispatchArgs = { agent_id: 'echo', task: 'Say hello in one short sentence.' };
    let body = null; // the request body Baton's provider sends, replayed by the direct SDK call

    /** Each measure returns {ms, before, after}: the total and, when the fake saw it, the split around the LLM. */
    const dispatchOn = (conn) => async () => {
      const before = fake.requests;
      const t0 = performance.now();
      const result = await callOk(conn, 'subagent_dispatch', dispatchArgs);
      const t1 = performance.now();
      if (result.structuredContent?.result !== fake.text) {
        throw new Error(`unexpected dispatch result: ${JSON.stringify(result.structuredContent)}`);
      }
      if (fake.requests !== before + 1) throw new Error(`${fake.requests - before} LLM requests for one dispatch`);
      return split(t0, t1, fake.log.at(-1));
    };
    const measures = {
      dispatch: dispatchOn(baton),
      ...(base ? { base: dispatchOn(base) } : {}),
      ...Object.fromEntries(sized.map(({ kind, conn }) => [kind, dispatchOn(conn)])),
      roundtrip: async () => {
        const t0 = performance.now();
        const result = await callOk(minimal, 'echo', { text: 'ping' });
        const t1 = performance.now();
        if (result.content?.[0]?.text !== 'ping') throw new Error('unexpected echo result');
        return { ms: t1 - t0 };
      },
      direct: async () => {
        const before = fake.requests;
        const { answers, t0: m0 } = await directChild.request({ n: 1, body, text: fake.text });
        if (fake.requests !== before + 1) throw new Error('the direct call did not reach the fake once');
        // The child's start on this process's clock (both processes read the monotonic clock).
        const t0 = m0 - (monotonicMs() - performance.now());
        return split(t0, t0 + answers[0], fake.log.at(-1));
      },
      direct_in_process: async () => {
        const before = fake.requests;
        const t0 = performance.now();
        const completion = await openai.chat.completions.create(body);
        const t1 = performance.now();
        if (completion.choices[0]?.message?.content !== fake.text) throw new Error('unexpected completion');
        if (fake.requests !== before + 1) throw new Error('the direct call did not reach the fake once');
        return split(t0, t1, fake.log.at(-1));
      },
    };

    // Warm-up, untimed: module loading and JIT on every side, the lazy SDK load in Baton, the store's first writes.
    for (let i = 0; i < config.warmup; i++) {
      await measures.dispatch();
      body ??= structuredClone(fake.lastBody);
      await measures.roundtrip();
      await measures.direct();
      await measures.direct_in_process();
      await measures.base?.();
      for (const { kind } of sized) await measures[kind]();
    }
    fake.reset();
    if (globalThis.gc) globalThis.gc();

    const kinds = [
      'dispatch',
      'roundtrip',
      'direct',
      'direct_in_process',
      ...(base ? ['base'] : []),
      ...sized.map(({ kind }) => kind),
    ];
    const samples = Object.fromEntries(kinds.map((kind) => [kind, []]));
    const cpu0 = {
      baton: cpuTimeMs(baton.pid),
      minimal: cpuTimeMs(minimal.pid),
      base: base ? cpuTimeMs(base.pid) : null,
    };
    const t0 = performance.now();
    // A new order per iteration: no kind always runs right after another (`shuffledOrders`).
    const orders = shuffledOrders(kinds);
    for (let i = 0; i < config.iterations; i++) {
      for (const kind of orders()) samples[kind].push(await measures[kind]());
    }
    const seconds = (performance.now() - t0) / 1000;
    const cpuPerCall = (conn, start) => {
      const end = cpuTimeMs(conn.pid);
      return start === null || end === null ? null : round((end - start) / config.iterations, 2);
    };

    const figures = {};
    for (const kind of kinds) {
      const s = samples[kind];
      figures[kind] = { calls: s.length, ...stats(s.map((x) => x.ms)) };
      if (s.some((x) => x.before !== undefined)) {
        figures[kind].before_llm_p50_ms = p50(s.map((x) => x.before).filter((x) => x !== undefined));
        figures[kind].after_llm_p50_ms = p50(s.map((x) => x.after).filter((x) => x !== undefined));
      }
    }
    figures.dispatch.server_cpu_ms_per_call = cpuPerCall(baton, cpu0.baton);
    figures.roundtrip.server_cpu_ms_per_call = cpuPerCall(minimal, cpu0.minimal);
    if (base) figures.base.server_cpu_ms_per_call = cpuPerCall(base, cpu0.base);
    const baseline = figures.roundtrip.p50_ms + figures.direct.p50_ms;
    const ratio = baseline > 0 ? round(figures.dispatch.p50_ms / baseline, 3) : null;
    const ratioP90 = round(figures.dispatch.p90_ms / (figures.roundtrip.p90_ms + figures.direct.p90_ms), 3);
    const inProcess = figures.roundtrip.p50_ms + figures.direct_in_process.p50_ms;
    return {
      config: {
        iterations: config.iterations,
        warmup: config.warmup,
        baton: `node ${path.relative(ROOT_DIR, CLI_PATH)} --store <tmp>/store.json --agents <tmp>/agents (agent echo, model openai:gpt-bench)`,
        dispatch: `tools/call subagent_dispatch ${JSON.stringify(dispatchArgs)} over stdio, SDK Client`,
        roundtrip: 'tools/call echo on node bench/minimal-server.mjs over stdio, SDK Client',
        direct: "openai SDK chat.completions.create from a child process, replaying Baton's request body",
        direct_in_process: 'the same call from this process, where the fake runs (for reference)',
        fake_llm: 'bench/fake-llm.mjs in this process, answering at once',
        request_body_bytes: JSON.stringify(body).length,
        measured: 'one call at a time, the kinds interleaved in a new random order per iteration',
      },
      seconds: round(seconds, 2),
      ...figures,
      baseline_p50_ms: round(baseline, 3),
      overhead_p50_ms: round(figures.dispatch.p50_ms - baseline, 3),
      ratio_p50: ratio,
      ratio_p90: ratioP90,
      ratio_p50_over_in_process_sdk: inProcess > 0 ? round(figures.dispatch.p50_ms / inProcess, 3) : null,
      ...(base
        ? {
            base_build: baseCli,
            base_ratio_p50: round(figures.base.p50_ms / baseline, 3),
            base_ratio_p50_over_in_process_sdk: round(figures.base.p50_ms / inProcess, 3),
          }
        : {}),
      by_store_size: sized.map(({ size, kind }) => ({
        tasks: size,
        p50_ms: figures[kind].p50_ms,
        ratio_p50: baseline > 0 ? round(figures[kind].p50_ms / baseline, 3) : null,
      })),
      fake_llm_requests: fake.requests,
      checks: [
        {
          name: 'dispatch p50 / (MCP round trip p50 + direct SDK call p50)',
          value: ratio,
          target: `≤ ${TARGET}`,
          ok: ratio !== null && ratio <= TARGET,
        },
      ],
    };
  } finally {
    directChild?.kill();
    for (const conn of conns) await conn.close();
    await fake.close();
    for (const b of boxes) b.tmp.cleanup();
  }
}

/** Splits a call at the fake: before = the body has arrived there, after = its answer to the caller's result. */
function split(t0, t1, entry) {
  const ms = t1 - t0;
  if (!entry || entry.answered === null || entry.arrived < t0 || entry.answered > t1) return { ms };
  return { ms, before: entry.arrived - t0, after: t1 - entry.answered };
}

export function print(result) {
  if (result.skipped) return;
  const rows = [
    ['dispatch', 'subagent_dispatch (baton, stdio)'],
    ...(result.base ? [['base', 'subagent_dispatch (base build)']] : []),
    ['roundtrip', '(a) MCP round trip (minimal server, stdio)'],
    ['direct', '(b) direct openai SDK call, from a child process'],
    ['direct_in_process', "direct SDK call, in the fake's process"],
  ].map(([kind, label]) => ({
    call: label,
    calls: result[kind].calls,
    p50: result[kind].p50_ms,
    p90: result[kind].p90_ms,
    min: result[kind].min_ms,
    max: result[kind].max_ms,
    before: result[kind].before_llm_p50_ms ?? null,
    after: result[kind].after_llm_p50_ms ?? null,
    cpu: result[kind].server_cpu_ms_per_call ?? null,
  }));
  for (const { tasks } of result.by_store_size ?? []) {
    const f = result[`store_${tasks}`];
    rows.push({
      call: `subagent_dispatch, store of ${tasks} tasks`,
      calls: f.calls,
      p50: f.p50_ms,
      p90: f.p90_ms,
      min: f.min_ms,
      max: f.max_ms,
      before: f.before_llm_p50_ms ?? null,
      after: f.after_llm_p50_ms ?? null,
      cpu: null,
    });
  }
  rows.push({
    call: '(a) + (b)',
    calls: null,
    p50: result.baseline_p50_ms,
    p90: result.roundtrip.p90_ms + result.direct.p90_ms,
    min: null,
    max: null,
    before: null,
    after: null,
    cpu: null,
  });
  printTable(
    `dispatch overhead: ms per call, ${result.config.iterations} interleaved iterations, fake LLM answering at once`,
    [
      { key: 'call', label: 'call' },
      { key: 'calls', label: 'calls', digits: 0 },
      { key: 'p50', label: 'p50 ms', digits: 3 },
      { key: 'p90', label: 'p90 ms', digits: 3 },
      { key: 'min', label: 'min ms', digits: 3 },
      { key: 'max', label: 'max ms', digits: 3 },
      { key: 'before', label: 'to LLM p50', digits: 3 },
      { key: 'after', label: 'from LLM p50', digits: 3 },
      { key: 'cpu', label: 'server CPU/call', digits: 2 },
    ],
    rows,
  );
  console.log(
    `dispatch − baseline at p50: ${round(result.overhead_p50_ms, 3)} ms; p90 ratio ${result.ratio_p90}` +
      ` (to LLM: client sends → request body at the fake; from LLM: fake answered → client has the result;` +
      ' server CPU: user + system ms of the server process per call, from /proc)',
  );
  console.log(
    `ratio over (a) + the SDK call in the fake's process (no hop between processes): ${result.ratio_p50_over_in_process_sdk}`,
  );
  if (result.base) {
    console.log(
      `base build (${result.base_build}): p50 ${result.base.p50_ms} ms, ratio ${result.base_ratio_p50}` +
        ` (${result.base_ratio_p50_over_in_process_sdk} over the in-process SDK call); this build: ${result.ratio_p50}`,
    );
  }
  for (const { tasks, ratio_p50 } of result.by_store_size ?? []) {
    console.log(`with ${tasks} tasks in the store: ratio ${ratio_p50}`);
  }
  printChecks('dispatch overhead: targets', result.checks);
}

if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
