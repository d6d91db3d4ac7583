/**
 * Cold start (SPEC §11): time from spawn to the `initialize` answer over stdio, for `node dist/bin/cli.js --store …`
 * against a minimal SDK stdio server (bench/minimal-server.mjs), interleaved run by run. Target: Baton's p50 at
 * most 1.5 × the minimal server's.
 *
 * Each run is a raw child_process spawn: the initialize request is written to stdin at once, the clock stops when
 * the response line arrives on stdout (no client library in the measurement), then stdin is closed and the exit
 * awaited. Both servers run from a temp working directory with HOME pointing into it and no BATON_* variables, so
 * the machine's own agents and config stay out of the measurement.
 *
 * Run alone: node bench/cold-start.mjs   (after `npm run build`)
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { BENCH_DIR, ROOT_DIR, isMain, printChecks, printTable, quantile, round, tempDir } from './util.mjs';

export const name = 'cold-start';

const DEFAULTS = { runs: 15, warmup: 2 };
/** Few runs for the benchmark smoke test (test/bench/benchmarks.test.ts). */
export const SMOKE = { runs: 2, warmup: 1 };
const ANSWER_TIMEOUT_MS = 15_000;
const EXIT_TIMEOUT_MS = 5_000;

export const CLI_PATH = path.join(ROOT_DIR, 'dist', 'bin', 'cli.js');

function initializeLine() {
  return `${JSON.stringify({
    jsonrpc: '2.0',
    id: 1,
    method: 'initialize',
    params: {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'baton-bench', version: '0.0.0' },
    },
  })}\n`;
}

/** One spawn: ms to the initialize answer, ms from closing stdin to exit, the exit code. */
function startOnce(args, { cwd, env }) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let answerMs = null;
    let closedAt = null;
    let stdout = '';
    let stderr = '';
    let strayLines = 0;
    let failure = null;
    const fail = (message) => {
      failure ??= message;
      child.kill('SIGKILL');
    };
    const answerTimer = setTimeout(
      () => fail(`no initialize answer within ${ANSWER_TIMEOUT_MS} ms`),
      ANSWER_TIMEOUT_MS,
    );
    let exitTimer = null;
    child.on('error', (error) => fail(`spawn failed: ${error.message}`));
    child.stdin.on('error', () => undefined); // EPIPE when the child died early; reported through its exit
    child.stdin.write(initializeLine());
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      stderr = (stderr + chunk).slice(-2000);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      let newline;
      while ((newline = stdout.indexOf('\n')) !== -1) {
        const line = stdout.slice(0, newline);
        stdout = stdout.slice(newline + 1);
        let message;
        try {
          message = JSON.parse(line);
        } catch {
          strayLines++; // SPEC §10: stdout carries the protocol and nothing else
          continue;
        }
        if (message.id !== 1 || answerMs !== null) continue;
        answerMs = performance.now() - t0;
        clearTimeout(answerTimer);
        if (message.error) failure ??= `initialize failed: ${JSON.stringify(message.error)}`;
        closedAt = performance.now();
        child.stdin.end();
        exitTimer = setTimeout(
          () => fail(`did not exit within ${EXIT_TIMEOUT_MS} ms of stdin closing`),
          EXIT_TIMEOUT_MS,
        );
      }
    });
    child.on('exit', (code, signal) => {
      clearTimeout(answerTimer);
      clearTimeout(exitTimer);
      if (answerMs === null) failure ??= `exited (${signal ?? code}) before answering initialize`;
      else if (failure === null && code !== 0) failure = `exited with ${signal ?? code} after stdin closed`;
      resolve({
        answer_ms: answerMs,
        exit_ms: closedAt !== null ? performance.now() - closedAt : null,
        code,
        stray_stdout_lines: strayLines,
        error: failure
          ? `${failure}${stderr.trim() ? `; stderr: ${stderr.trim().split('\n').slice(-3).join(' | ')}` : ''}`
          : null,
      });
    });
  });
}

function summarise(samples) {
  const ok = samples.filter((s) => s.answer_ms !== null && s.error === null);
  const ms = ok.map((s) => s.answer_ms);
  const exits = ok.map((s) => s.exit_ms).filter((x) => x !== null);
  return {
    runs: samples.length,
    ok: ok.length,
    p50_ms: round(quantile(ms, 0.5), 1),
    p90_ms: round(quantile(ms, 0.9), 1),
    min_ms: round(ms.length ? Math.min(...ms) : null, 1),
    max_ms: round(ms.length ? Math.max(...ms) : null, 1),
    exit_after_stdin_close_p50_ms: round(quantile(exits, 0.5), 1),
    stray_stdout_lines: samples.reduce((n, s) => n + s.stray_stdout_lines, 0),
    samples_ms: ms.map((x) => round(x, 1)),
    errors: [...new Set(samples.map((s) => s.error).filter(Boolean))],
  };
}

export async function run(options = {}) {
  const config = { ...DEFAULTS, cli: CLI_PATH, ...options };
  if (!existsSync(config.cli)) {
    const reason = `${path.relative(ROOT_DIR, config.cli)} not found: the cold-start bench needs \`npm run build\``;
    console.log(`cold-start: skipped (${reason})`);
    return { skipped: true, reason, checks: [] };
  }
  const tmp = tempDir('baton-bench-cold-');
  try {
    const home = path.join(tmp.dir, 'home');
    mkdirSync(home);
    const env = { ...process.env, HOME: home, USERPROFILE: home };
    for (const key of Object.keys(env)) if (key.startsWith('BATON_')) delete env[key];
    const store = path.join(tmp.dir, 'store.json');
    const targets = {
      baton: [config.cli, '--store', store],
      minimal: [path.join(BENCH_DIR, 'minimal-server.mjs')],
    };
    const spawnOptions = { cwd: tmp.dir, env };
    // Warm-up (untimed): the file cache, and Baton's store file, which every timed run then opens.
    for (let i = 0; i < config.warmup; i++) {
      for (const args of Object.values(targets)) await startOnce(args, spawnOptions);
    }
    const samples = { baton: [], minimal: [] };
    for (let i = 0; i < config.runs; i++) {
      const order = i % 2 === 0 ? ['minimal', 'baton'] : ['baton', 'minimal'];
      for (const which of order) samples[which].push(await startOnce(targets[which], spawnOptions));
    }
    const baton = summarise(samples.baton);
    const minimal = summarise(samples.minimal);
    const ratio = baton.p50_ms !== null && minimal.p50_ms ? round(baton.p50_ms / minimal.p50_ms, 3) : null;
    return {
      config: {
        runs: config.runs,
        warmup: config.warmup,
        baton: `node dist/bin/cli.js --store <tmp>/store.json`,
        minimal: 'node bench/minimal-server.mjs',
        measured: 'spawn → initialize response line on stdout (raw JSON-RPC over stdio), interleaved',
      },
      baton,
      minimal,
      ratio_p50: ratio,
      checks: [
        {
          name: 'baton p50 / minimal SDK server p50',
          value: ratio,
          target: '≤ 1.5',
          ok: ratio !== null && ratio <= 1.5,
        },
      ],
    };
  } finally {
    tmp.cleanup();
  }
}

export function print(result) {
  if (result.skipped) {
    console.log(`\ncold start: skipped (${result.reason})`);
    return;
  }
  printTable(
    'cold start: spawn → initialize answered over stdio (ms)',
    [
      { key: 'server', label: 'server' },
      { key: 'ok', label: 'ok runs', digits: 0 },
      { key: 'p50', label: 'p50', digits: 1 },
      { key: 'p90', label: 'p90', digits: 1 },
      { key: 'min', label: 'min', digits: 1 },
      { key: 'max', label: 'max', digits: 1 },
      { key: 'exit', label: 'exit after stdin close p50', digits: 1 },
      { key: 'stray', label: 'non-JSON stdout lines', digits: 0 },
    ],
    ['baton', 'minimal'].map((server) => {
      const s = result[server];
      return {
        server: server === 'baton' ? 'baton (dist/bin/cli.js)' : 'minimal SDK server',
        ok: s.ok,
        p50: s.p50_ms,
        p90: s.p90_ms,
        min: s.min_ms,
        max: s.max_ms,
        exit: s.exit_after_stdin_close_p50_ms,
        stray: s.stray_stdout_lines,
      };
    }),
  );
  for (const server of ['baton', 'minimal']) {
    for (const error of result[server].errors) console.log(`  ${server}: ${error}`);
  }
  printChecks('cold start: targets', result.checks);
}

if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
