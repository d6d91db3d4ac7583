/**
 * Store scaling (SPEC §11): acknowledged delegate→complete cycles/s at 1k, 10k and 100k stored tasks, for Baton
 * (TaskService on LowdbTaskStore) and, side by side, a naive lowdb store that rewrites the whole file per change.
 * Targets: Baton 100k ≥ 0.5 × Baton 1k; Baton 100k ≥ 10 × naive 100k; RSS with 100k tasks ≤ 200 MB.
 *
 * The parent writes each size's store files directly (N valid tasks, mostly terminal, the newest in progress, all
 * recent enough to survive retention). Every store is then opened in its own child process, so that the heap and
 * RSS of one never leak into another. A cycle is `delegate` by `host` to `agent-k`, then `complete` by `agent-k`;
 * each call resolves only once its change is on disk; workers run cycles back to back.
 *
 * Baton's three sizes are loaded side by side and measured in interleaved rounds of short windows (every size and
 * concurrency once per round, order rotating), so a burst of load from elsewhere on the machine hits all sizes
 * alike instead of skewing the 100k / 1k ratio. The naive store, ~100-1000× slower, is measured afterwards.
 *
 * Run alone: node --expose-gc bench/store-scaling.mjs   (after `npm run build`)
 */
import { randomUUID } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { ForkedChild, fmt, isMain, mb, printChecks, printTable, quantile, round, tempDir } from './util.mjs';

export const name = 'store-scaling';

const DEFAULTS = {
  sizes: [1_000, 10_000, 100_000, ...(process.env.BATON_BENCH_1M === '1' ? [1_000_000] : [])],
  /** The naive store is measured up to this size (at 1M a single write takes seconds and its file 1+ GB). */
  naiveMax: 100_000,
  concurrencies: [1, 32],
  /** Baton: rounds × (sizes × concurrencies) windows of windowMs each. */
  rounds: 3,
  windowMs: 1_000,
  /** The naive store, at the sizes where a window fits. */
  naiveWindowMs: 2_500,
  warmupMs: 300,
};

/** Tiny sizes for the benchmark smoke test (test/bench/benchmarks.test.ts): figures, not meaningful ones. */
export const SMOKE = {
  sizes: [200, 1_000],
  concurrencies: [1, 4],
  rounds: 1,
  windowMs: 150,
  naiveWindowMs: 150,
  warmupMs: 50,
};

/** How the naive store is measured at each size: a window while a write is cheap, a few cycles when it is not. */
function naivePhase(size, concurrency, windowMs) {
  if (size <= 10_000) return { concurrency, windowMs, maxCycles: null };
  // ~0.3-0.8 s per change at 100k (JSON.stringify of the whole file, then the write): a fixed number of cycles,
  // 5 at concurrency 1 and one per worker at concurrency 32.
  return { concurrency, windowMs: null, maxCycles: concurrency === 1 ? 5 : concurrency };
}

export async function run(options = {}) {
  const config = { ...DEFAULTS, ...options };
  const tmp = tempDir('baton-bench-scaling-');
  const children = [];
  try {
    const sizes = [];
    for (const size of config.sizes) {
      const files = await prepare(path.join(tmp.dir, String(size)), size, size <= config.naiveMax);
      sizes.push({
        tasks: size,
        task_bytes: files.taskBytes,
        baton_snapshot_mb: mb(files.batonBytes),
        naive_file_mb: files.naiveBytes === null ? null : mb(files.naiveBytes),
        files,
      });
    }

    // Baton: one process per size, loaded one after the other (load time and memory are not disturbed).
    for (const s of sizes) {
      const c = new StoreChild('baton', s.files.batonPath);
      children.push(c);
      s.baton = { ...(await c.ready), windows: [] };
      await c.request({ type: 'measure', phase: { concurrency: 8, windowMs: config.warmupMs } });
    }
    for (let round = 0; round < config.rounds; round++) {
      for (const concurrency of config.concurrencies) {
        const order = rotate(sizes, round);
        for (const s of round % 2 === 0 ? order : [...order].reverse()) {
          const c = children[sizes.indexOf(s)];
          s.baton.windows.push(await c.request({ type: 'measure', phase: { concurrency, windowMs: config.windowMs } }));
        }
      }
    }
    for (const [i, s] of sizes.entries()) {
      Object.assign(s.baton, await children[i].request({ type: 'close' }));
      s.baton.phases = config.concurrencies.map((c) => combine(s.baton.windows.filter((w) => w.concurrency === c)));
      delete s.baton.windows;
    }
    children.length = 0;

    // The naive store: one process per size, one after the other.
    for (const s of sizes) {
      if (s.files.naivePath === null) {
        s.naive = null;
        delete s.files;
        continue;
      }
      const c = new StoreChild('naive', s.files.naivePath);
      children.push(c);
      s.naive = await c.ready;
      if (s.tasks <= 10_000) await c.request({ type: 'measure', phase: { concurrency: 8, windowMs: config.warmupMs } });
      const windows = [];
      for (const concurrency of config.concurrencies) {
        windows.push(
          await c.request({ type: 'measure', phase: naivePhase(s.tasks, concurrency, config.naiveWindowMs) }),
        );
      }
      Object.assign(s.naive, await c.request({ type: 'close' }));
      children.length = 0;
      s.naive.phases = windows.map((w) => combine([w]));
      delete s.files;
    }

    return { config: describe(config), sizes, checks: checksOf(config, sizes) };
  } finally {
    for (const c of children) c.kill();
    tmp.cleanup();
  }
}

const rotate = (list, n) => list.map((_, i) => list[(i + n) % list.length]);

/** Merges measurement windows of one store and concurrency into one figure. */
function combine(windows) {
  const cycles = windows.reduce((n, w) => n + w.cycles, 0);
  const seconds = windows.reduce((n, w) => n + w.seconds, 0);
  const latencies = windows.flatMap((w) => w.latencies);
  for (const w of windows) delete w.latencies;
  return {
    concurrency: windows[0].concurrency,
    windows: windows.length,
    cycles,
    seconds: round(seconds, 3),
    cycles_per_s: round(cycles / seconds, 2),
    changes_per_s: round((2 * cycles) / seconds, 2),
    window_cycles_per_s: windows.map((w) => round(w.cycles / w.seconds, 1)),
    p50_ms: round(quantile(latencies, 0.5), 2),
    p99_ms: round(quantile(latencies, 0.99), 2),
    tasks_after: windows.at(-1).tasks_after,
    ...(windows[0].compactions !== undefined ? { compactions: windows.reduce((n, w) => n + w.compactions, 0) } : {}),
    ...journalBytesPerCycle(windows),
    gc_ms: Math.round(windows.reduce((n, w) => n + w.gc_ms, 0)),
  };
}

/** Journal bytes appended per cycle, over the windows without a compaction (which restarts the journal). */
function journalBytesPerCycle(windows) {
  const clean = windows.filter((w) => w.journal_bytes !== undefined && w.cycles > 0);
  if (clean.length === 0) return {};
  const bytes = clean.reduce((n, w) => n + w.journal_bytes, 0);
  return { journal_bytes_per_cycle: Math.round(bytes / clean.reduce((n, w) => n + w.cycles, 0)) };
}

function checksOf(config, sizes) {
  const rate = (impl, size, concurrency) =>
    sizes.find((s) => s.tasks === size)?.[impl]?.phases.find((p) => p.concurrency === concurrency)?.cycles_per_s ??
    null;
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? round(a / b, 3) : null);
  const checks = [];
  const smallest = Math.min(...config.sizes);
  const largest = Math.max(...config.sizes);
  // SPEC §11 sets the target at 100k; with BATON_BENCH_1M=1 the 1M store is held to it too.
  const scaled = [...new Set([config.sizes.includes(100_000) ? 100_000 : largest, largest])];
  for (const size of scaled) {
    for (const c of config.concurrencies) {
      const value = ratio(rate('baton', size, c), rate('baton', smallest, c));
      checks.push({
        name: `baton ${label(size)} / baton ${label(smallest)}, concurrency ${c}`,
        value,
        target: '≥ 0.5',
        ok: value !== null && value >= 0.5,
      });
    }
  }
  const naiveLargest = Math.max(...config.sizes.filter((n) => n <= config.naiveMax));
  for (const c of config.concurrencies) {
    const value = ratio(rate('baton', naiveLargest, c), rate('naive', naiveLargest, c));
    checks.push({
      name: `baton ${label(naiveLargest)} / naive ${label(naiveLargest)}, concurrency ${c}`,
      value,
      target: '≥ 10',
      ok: value !== null && value >= 10,
    });
  }
  const big = sizes.find((s) => s.tasks === scaled[0]);
  if (big) {
    const value = big.baton.rss_after_load_mb;
    checks.push({
      name: `baton RSS with ${label(big.tasks)} tasks loaded (MB)`,
      value,
      target: '≤ 200',
      ok: value <= 200,
    });
  }
  return checks;
}

function describe(config) {
  return {
    sizes: config.sizes,
    concurrencies: config.concurrencies,
    baton: `${config.rounds} interleaved rounds of ${config.windowMs} ms windows per size and concurrency, after ${config.warmupMs} ms warm-up`,
    naive: `${config.naiveWindowMs} ms windows up to 10k; at 100k a fixed number of cycles: 5 at concurrency 1, one per worker at 32; none above ${label(config.naiveMax)}`,
    prepopulated:
      'N tasks (~92% completed, the rest failed/cancelled/timed_out, the newest 2% in_progress), empty inbox',
    cycle: 'delegate (host → agent-k) then complete by agent-k, each acknowledged after its change is on disk',
    note: 'the store grows by one task per cycle, so the small sizes end well above their nominal size (tasks_after)',
  };
}

export function print(result) {
  const rows = [];
  for (const s of result.sizes) {
    for (const impl of ['baton', 'naive']) {
      for (const p of s[impl]?.phases ?? []) {
        rows.push({
          tasks: label(s.tasks),
          store: impl,
          conc: p.concurrency,
          cycles: p.cycles,
          seconds: p.seconds,
          rate: p.cycles_per_s,
          spread:
            p.window_cycles_per_s.length > 1
              ? `${fmt(Math.min(...p.window_cycles_per_s), 0)}–${fmt(Math.max(...p.window_cycles_per_s), 0)}`
              : '',
          changes: p.changes_per_s,
          p50: p.p50_ms,
          p99: p.p99_ms,
          after: p.tasks_after,
          compactions: p.compactions ?? null,
          gc: p.gc_ms,
        });
      }
    }
  }
  printTable(
    'store scaling: acknowledged delegate→complete cycles/s (a cycle = 2 changes)',
    [
      { key: 'tasks', label: 'tasks' },
      { key: 'store', label: 'store' },
      { key: 'conc', label: 'conc', digits: 0 },
      { key: 'cycles', label: 'cycles', digits: 0 },
      { key: 'seconds', label: 's', digits: 2 },
      { key: 'rate', label: 'cycles/s', digits: 1 },
      { key: 'spread', label: 'per window', align: 'right' },
      { key: 'changes', label: 'changes/s', digits: 1 },
      { key: 'p50', label: 'p50 ms', digits: 2 },
      { key: 'p99', label: 'p99 ms', digits: 2 },
      { key: 'after', label: 'tasks after', digits: 0 },
      { key: 'compactions', label: 'compactions', digits: 0 },
      { key: 'gc', label: 'GC ms', digits: 0 },
    ],
    rows,
  );
  printTable(
    'store scaling: load and memory (each store in its own process)',
    [
      { key: 'tasks', label: 'tasks' },
      { key: 'store', label: 'store' },
      { key: 'file', label: 'file MB', digits: 1 },
      { key: 'load', label: 'load ms', digits: 0 },
      { key: 'rss0', label: 'RSS before MB', digits: 1 },
      { key: 'rss', label: 'RSS loaded MB', digits: 1 },
      { key: 'heap', label: 'heap loaded MB', digits: 1 },
      { key: 'rssEnd', label: 'RSS end MB', digits: 1 },
      { key: 'peak', label: 'peak RSS MB', digits: 1 },
      { key: 'after', label: 'tasks at end', digits: 0 },
    ],
    result.sizes.flatMap((s) =>
      ['baton', 'naive']
        .filter((impl) => s[impl])
        .map((impl) => ({
          tasks: label(s.tasks),
          store: impl,
          file: impl === 'baton' ? s.baton_snapshot_mb : s.naive_file_mb,
          load: s[impl].load_ms,
          rss0: s[impl].rss_before_load_mb,
          rss: s[impl].rss_after_load_mb,
          heap: s[impl].heap_after_load_mb,
          rssEnd: s[impl].rss_end_mb,
          peak: s[impl].peak_rss_mb,
          after: s[impl].tasks_at_end,
        })),
    ),
  );
  printChecks('store scaling: targets', result.checks);
}

const label = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

// ---- preparing the store files ---------------------------------------------------------------------------------

/** Deterministic pseudo-random numbers (mulberry32), so every run stores the same kind of data. */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const AGENTS = [
  'code-reviewer',
  'test-writer',
  'researcher',
  'doc-writer',
  'refactorer',
  'debugger',
  'planner',
  'host',
];
const VERBS = ['Review', 'Summarise', 'Refactor', 'Write tests for', 'Investigate', 'Document', 'Fix', 'Benchmark'];
const THINGS = [
  'the retry logic in src/providers/retry.ts',
  'the HTTP transport session handling',
  'the journal compaction path of the store',
  'the agent definition parser and its error messages',
  'the fan-out merge strategies',
  'the deadline timer and restart recovery',
  'the CLI table output for `baton tasks`',
  'the OpenAI-compatible provider against a local Ollama',
];
const DETAILS = [
  'Keep the public API unchanged and list anything that looks risky.',
  'Focus on edge cases: empty input, very large input, concurrent callers.',
  'Report findings as a short list with file and line references.',
  'Do not change behaviour; only make the code easier to follow.',
  'Compare with how the previous release behaved and note regressions.',
];

/** `size` task records as Baton writes them; the fields of a task never run come from the built code. */
export async function makeTasks(size, now) {
  const { NOT_RUN } = await import('../dist/model/task.js');
  const rand = prng(size);
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const span = 7 * 24 * 3600 * 1000; // created over the last 7 days: well inside the 30-day retention
  const start = now - span;
  const tasks = [];
  for (let i = 0; i < size; i++) {
    const id = randomUUID();
    const created = start + Math.floor(((i + rand()) / size) * (span - 3600_000));
    const live = i >= size * 0.98;
    const parent = i > 20 && rand() < 0.15 ? tasks[i - 1 - Math.floor(rand() * 20)] : undefined;
    const delegatedBy = parent ? parent.assignee_id : pick(AGENTS);
    let assignee = pick(AGENTS);
    if (assignee === delegatedBy) assignee = AGENTS[(AGENTS.indexOf(assignee) + 1) % AGENTS.length];
    const started = created + Math.floor(rand() * 2000);
    const finished = started + 5_000 + Math.floor(rand() * 600_000);
    const roll = rand();
    const status = live
      ? 'in_progress'
      : roll < 0.92
        ? 'completed'
        : roll < 0.97
          ? 'failed'
          : roll < 0.99
            ? 'cancelled'
            : 'timed_out';
    const timeout = live ? 86_400 : 600;
    const progress = [];
    const steps = rand() < 0.7 ? 0 : 1;
    for (let p = 0; p < steps; p++) {
      progress.push({ at: new Date(started + (p + 1) * 1000).toISOString(), message: `step ${p + 1} of 3 done` });
    }
    const updated = live ? started + steps * 1000 : finished;
    const task = {
      id,
      kind: rand() < 0.3 ? 'dispatch' : 'delegation',
      delegated_by: delegatedBy,
      assignee_id: assignee,
      description:
        rand() < 0.5 ? `${pick(VERBS)} ${pick(THINGS)}.` : `${pick(VERBS)} ${pick(THINGS)}. ${pick(DETAILS)}`,
      ...(rand() < 0.2 ? { payload: { ref: `feature/${i % 97}`, files: [`src/module-${i % 31}.ts`] } } : {}),
      status,
      status_message: live ? (progress.at(-1)?.message ?? null) : status === 'completed' ? 'completed' : status,
      priority: pick(['low', 'normal', 'normal', 'normal', 'high', 'urgent']),
      group: rand() < 0.25 ? `batch-${Math.floor(i / 50)}` : null,
      depends_on: [],
      parent_task_id: parent?.id ?? null,
      root_task_id: parent?.root_task_id ?? id,
      depth: parent ? Math.min(parent.depth + 1, 3) : 0,
      timeout_seconds: timeout,
      created_at: new Date(created).toISOString(),
      started_at: new Date(started).toISOString(),
      updated_at: new Date(updated).toISOString(),
      deadline: new Date(
        Math.min(started + timeout * 1000, parent?.deadline ? Date.parse(parent.deadline) : Infinity),
      ).toISOString(),
      finished_at: live ? null : new Date(finished).toISOString(),
      progress,
      ...(status === 'completed'
        ? {
            result:
              rand() < 0.7
                ? `Done: found ${Math.floor(rand() * 9)} issues, fixed the two in the error paths, added tests.`
                : { summary: 'Refactored; behaviour unchanged.', changed_files: Math.floor(rand() * 12) },
          }
        : {}),
      error:
        status === 'failed'
          ? 'provider error: 529 overloaded after 4 retries'
          : status === 'cancelled'
            ? 'cancelled by host'
            : status === 'timed_out'
              ? 'timed out after 600 s'
              : null,
      attempts: live ? 0 : 1,
      max_retries: 0,
      session_id: rand() < 0.3 ? randomUUID() : null,
      budget_tokens: null,
      budget_usd: null,
      ...NOT_RUN,
      lease_epoch: live ? 0 : 1,
      seq: i + 1,
      created_seq: i + 1,
    };
    tasks.push(task);
  }
  return tasks;
}

/** Writes both stores' files straight in their formats: Baton's snapshot + journal, lowdb JSONFile's pretty JSON. */
async function prepare(dir, size, naive) {
  const tasks = await makeTasks(size, Date.now());
  const batonPath = path.join(dir, 'baton', 'store.json');
  const naivePath = naive ? path.join(dir, 'naive', 'db.json') : null;
  await writeFileStore(batonPath, tasks);
  if (naivePath) {
    mkdirSync(path.dirname(naivePath), { recursive: true });
    writeFileSync(naivePath, JSON.stringify({ tasks, inbox: [] }, null, 2));
  }
  const batonBytes = statSync(batonPath).size;
  return {
    batonPath,
    naivePath,
    batonBytes,
    naiveBytes: naivePath ? statSync(naivePath).size : null,
    taskBytes: Math.round(batonBytes / size),
  };
}

/** A Baton store file holding `tasks`, in the store's own snapshot layout, as Baton writes it after a compaction. */
export async function writeFileStore(batonPath, tasks) {
  const { SCHEMA_VERSION } = await import('../dist/store/file/file-task-store.js');
  const { SnapshotFile } = await import('../dist/store/file/snapshot-file.js');
  const { TaskSchema } = await import('../dist/model/task.js');
  const { InboxItemSchema } = await import('../dist/model/inbox.js');
  const { SessionSchema } = await import('../dist/model/session.js');
  mkdirSync(path.dirname(batonPath), { recursive: true });
  const generation = 1;
  await new SnapshotFile(batonPath, { tasks: TaskSchema, inbox: InboxItemSchema, sessions: SessionSchema }).write({
    schema_version: SCHEMA_VERSION,
    generation,
    seq: tasks.length,
    tasks,
    inbox: [],
    sessions: [],
  });
  writeFileSync(`${batonPath}.journal`, `${JSON.stringify({ generation })}\n`);
}

// ---- measuring, in a child process ----------------------------------------------------------------------------

/** A store opened in a child process, driven one request at a time over IPC. */
class StoreChild extends ForkedChild {
  constructor(impl, file) {
    super(fileURLToPath(import.meta.url), ['--child', impl, file], `${impl} store process`, ['--expose-gc']);
  }
}

const RESULT_TEXT =
  'Done. Reviewed the module and its tests; two edge cases were missing (empty input, concurrent callers). Added tests for both and fixed the off-by-one in the pager.';

export async function cycle(store, worker, n) {
  const assignee = `agent-${worker % 8}`;
  const task = await store.delegate('host', {
    assignee_id: assignee,
    description: `${VERBS[n % VERBS.length]} ${THINGS[n % THINGS.length]}. ${DETAILS[n % DETAILS.length]}`,
    payload: { ref: `bench/${n}`, files: [`src/module-${n % 31}.ts`] },
  });
  await store.complete(assignee, { task_id: task.id, result: RESULT_TEXT });
}

/** Runs `concurrency` workers until the window closes or `maxCycles` have started; counts finished cycles. */
async function measure(store, { concurrency, windowMs, maxCycles }) {
  // Infinity crosses the IPC boundary as null: null means no limit.
  windowMs ??= Infinity;
  maxCycles ??= Infinity;
  const latencies = [];
  let started = 0;
  const t0 = performance.now();
  const end = t0 + windowMs;
  const worker = async (w) => {
    while (performance.now() < end && started < maxCycles) {
      const n = started++;
      const s = performance.now();
      await cycle(store, w, n);
      latencies.push(performance.now() - s);
    }
  };
  let gcMs = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMs += entry.duration;
  });
  observer.observe({ entryTypes: ['gc'] });
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - t0) / 1000;
  observer.disconnect();
  const cycles = latencies.length;
  return {
    concurrency,
    cycles,
    seconds,
    gc_ms: round(gcMs, 0),
    latencies: latencies.map((x) => round(x, 3)),
  };
}

/** The generation in a Baton snapshot's header (JSON.stringify keeps the key order: it comes second). */
function readGeneration(file) {
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(256);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    const match = /"generation":(\d+)/.exec(buffer.subarray(0, n).toString('utf8'));
    return match ? Number(match[1]) : null;
  } finally {
    closeSync(fd);
  }
}

function gcNow() {
  if (globalThis.gc) {
    globalThis.gc();
    globalThis.gc();
  }
}

async function openStore(impl, file) {
  if (impl === 'naive') {
    const { NaiveLowdbStore } = await import('./naive-lowdb-store.mjs');
    const store = await NaiveLowdbStore.open(file);
    return { store, size: () => store.size, close: () => store.close() };
  }
  const { LowdbTaskStore } = await import('../dist/store/file/file-task-store.js');
  const { TaskService } = await import('../dist/tasks/task-service.js');
  const { InMemoryEventBus } = await import('../dist/events/in-memory-event-bus.js');
  const { DeadlineTimer } = await import('../dist/tasks/deadline-timer.js');
  const { silentLogger } = await import('../dist/log.js');
  // Wired as the server wires it: the store, the bus, the service, and the deadline timer following the bus.
  const taskStore = await LowdbTaskStore.open({ path: file, log: silentLogger });
  const bus = new InMemoryEventBus(silentLogger);
  const service = new TaskService({ store: taskStore, bus, defaultTimeoutSeconds: 600 });
  await service.start();
  const deadlines = new DeadlineTimer(service, bus, silentLogger);
  await deadlines.start();
  return {
    store: service,
    size: () => taskStore.size,
    close: async () => {
      deadlines.stop();
      service.stop();
      await taskStore.close();
    },
  };
}

/** The child: opens the store, reports the load figures, then serves `measure` and `close` requests. */
async function childMain(impl, file) {
  // Import everything before the baseline so that module code is not counted as loaded data.
  await import(impl === 'naive' ? './naive-lowdb-store.mjs' : '../dist/tasks/task-service.js');
  gcNow();
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const opened = await openStore(impl, file);
  const loadMs = performance.now() - t0;
  gcNow();
  const loaded = process.memoryUsage();
  process.send({
    tasks_loaded: opened.size(),
    load_ms: round(loadMs, 0),
    rss_before_load_mb: mb(rssBefore),
    rss_after_load_mb: mb(loaded.rss),
    heap_after_load_mb: mb(loaded.heapUsed),
  });
  const serve = async (message) => {
    if (message.type === 'measure') {
      gcNow();
      const generation = impl === 'baton' ? readGeneration(file) : null;
      const journalBefore = impl === 'baton' ? statSync(`${file}.journal`).size : 0;
      const figures = await measure(opened.store, message.phase);
      figures.tasks_after = opened.size();
      if (generation !== null) {
        // Each compaction (snapshot rewrite, SPEC §9) bumps the snapshot's generation and restarts the journal.
        figures.compactions = readGeneration(file) - generation;
        if (figures.compactions === 0) figures.journal_bytes = statSync(`${file}.journal`).size - journalBefore;
      }
      return figures;
    }
    await opened.close();
    const end = process.memoryUsage().rss;
    return {
      tasks_at_end: opened.size(),
      rss_end_mb: mb(end),
      peak_rss_mb: mb(process.resourceUsage().maxRSS * 1024),
    };
  };
  process.on('message', (message) => {
    serve(message).then(
      (reply) => process.send(reply, () => message.type === 'close' && process.exit(0)),
      (error) => process.send({ error: error?.stack ?? String(error) }, () => process.exit(1)),
    );
  });
}

if (process.argv[2] === '--child' && process.send) {
  process.on('disconnect', () => process.exit(1)); // the parent went away
  childMain(process.argv[3], process.argv[4]).catch((error) =>
    process.send({ error: error?.stack ?? String(error) }, () => process.exit(1)),
  );
} else if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
