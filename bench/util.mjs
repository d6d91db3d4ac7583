/** Shared helpers for the benchmarks: temp dirs, statistics, tables, machine info. */
import { fork, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = path.dirname(fileURLToPath(import.meta.url));
export const ROOT_DIR = path.dirname(BENCH_DIR);

/** Where temp stores go: `BATON_BENCH_TMP` (to bench on a chosen disk), else the OS temp dir. */
export function tempBase() {
  return process.env.BATON_BENCH_TMP || os.tmpdir();
}

const tempDirs = new Set();
let exitHook = false;

/** A fresh temp dir, removed by `cleanup()` or, at the latest, when the process exits. */
export function tempDir(prefix = 'baton-bench-') {
  const dir = mkdtempSync(path.join(tempBase(), prefix));
  tempDirs.add(dir);
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const d of tempDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return {
    dir,
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      tempDirs.delete(dir);
    },
  };
}

/** True when `importMetaUrl` is the script node was started with. */
export function isMain(importMetaUrl) {
  return process.argv[1] !== undefined && importMetaUrl === pathToFileURL(path.resolve(process.argv[1])).href;
}

/** The q-quantile (0..1) of `values` by linear interpolation; null when empty. */
export function quantile(values, q) {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export function round(value, digits = 2) {
  if (value === null || value === undefined || !Number.isFinite(value)) return value ?? null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export const mb = (bytes) => round(bytes / (1024 * 1024), 1);

/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC): the same clock in every process, for a time taken
 * in one process and compared in another. Not `performance.timeOrigin + performance.now()`: each process takes its
 * origin from the wall clock when it starts, so two processes started while the clock is being set (as it is in a
 * VM, now and then) disagree by as much, and a change another process hears in 1.5 ms can look heard before it was
 * sent.
 */
export const monotonicMs = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * Orders for interleaved measurements: a new random order of `kinds` per call, from a fixed seed (the same orders
 * every run). A call right after another server's answer competes, on 2 cores, with that server's last work (its
 * feed, the end of its run); a fixed or a rotating order puts the same kind after the same neighbour every time,
 * and so gives it a bias of its own (5% of a dispatch, measured with one build on both sides).
 */
export function shuffledOrders(kinds, seed = 0x5eed) {
  let state = seed >>> 0;
  const next = () => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return () => {
    const order = [...kinds];
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    return order;
  };
}

/** Formats a number for a table: thousands separators, a sensible number of decimals. */
export function fmt(value, digits) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (!Number.isFinite(value)) return String(value);
  const d = digits ?? (Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2);
  return value.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
}

/** Prints a titled table; `columns` are `{key, label, align?, digits?}`, numbers are right-aligned. */
export function printTable(title, columns, rows) {
  const cells = rows.map((row) =>
    columns.map((c) => (typeof row[c.key] === 'string' ? row[c.key] : fmt(row[c.key], c.digits))),
  );
  const widths = columns.map((c, i) => Math.max(c.label.length, ...cells.map((r) => r[i].length)));
  const right = columns.map((c) =>
    c.align
      ? c.align === 'right'
      : rows.some((r) => typeof r[c.key] === 'number') && rows.every((r) => typeof r[c.key] !== 'string'),
  );
  const line = (parts) => parts.map((p, i) => (right[i] ? p.padStart(widths[i]) : p.padEnd(widths[i]))).join('  ');
  const out = [`\n${title}`, line(columns.map((c) => c.label)), widths.map((w) => '-'.repeat(w)).join('  ')];
  for (const r of cells) out.push(line(r));
  console.log(out.join('\n'));
}

/** Prints a benchmark's target checks: figure, value, target, met. */
export function printChecks(title, checks) {
  printTable(
    title,
    [
      { key: 'name', label: 'figure' },
      { key: 'value', label: 'value', align: 'right', digits: 2 },
      { key: 'target', label: 'target' },
      { key: 'ok', label: 'met' },
    ],
    checks.map((c) => ({ ...c, ok: c.value === null ? 'n/a' : c.ok ? 'yes' : 'NO' })),
  );
}

/** The file system type holding `dir` (Linux: /proc/mounts), or null. */
function fsType(dir) {
  try {
    const real = realpathSync(dir);
    let best = null;
    for (const line of readFileSync('/proc/mounts', 'utf8').split('\n')) {
      const [, mount, type] = line.split(' ');
      if (!mount) continue;
      const m = mount.replace(/\\040/g, ' ');
      if ((real === m || real.startsWith(m.endsWith('/') ? m : `${m}/`)) && (!best || m.length > best.mount.length)) {
        best = { mount: m, type };
      }
    }
    return best ? `${best.type} (${best.mount})` : null;
  } catch {
    return null;
  }
}

export function machineInfo() {
  const cpus = os.cpus();
  const git = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT_DIR, encoding: 'utf8' });
  return {
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    cpu: cpus[0]?.model?.trim() ?? 'unknown',
    cpus: cpus.length,
    memory_mb: Math.round(os.totalmem() / (1024 * 1024)),
    node: process.version,
    v8: process.versions.v8,
    temp_dir: tempBase(),
    temp_fs: fsType(tempBase()),
    git_commit: git.status === 0 ? git.stdout.trim() : null,
  };
}

/**
 * A benchmark's own script run again in a child process, spoken to one request at a time over IPC: each message it
 * sends answers the pending request (`{error}` rejects it, naming `what`); its first message says it is ready.
 */
export class ForkedChild {
  constructor(script, args, what, execArgv = []) {
    this.pending = null;
    this.proc = fork(script, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = this.expect();
    this.proc.on('message', (message) => {
      const pending = this.pending;
      this.pending = null;
      if (message.error) pending?.reject(new Error(`${what} failed: ${message.error}`));
      else pending?.resolve(message);
    });
    this.proc.on('exit', (code, signal) => {
      this.pending?.reject(new Error(`${what} exited (${signal ?? code})`));
      this.pending = null;
    });
  }

  expect() {
    return new Promise((resolve, reject) => (this.pending = { resolve, reject }));
  }

  request(message) {
    const response = this.expect();
    this.proc.send(message);
    return response;
  }

  kill() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }
}
