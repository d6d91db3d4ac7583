/**
 * The file store at scale (SPEC §11, issue 15), side by side for two builds: this checkout's dist/ ("branch") and,
 * when BATON_BENCH_BASE names another checkout with a built dist/ (say a worktree of main), that one ("base").
 * Per store size (1k and 100k tasks; 1M too with BATON_BENCH_1M=1), in a fresh copy of the same store files and a
 * child process per build and size, runs interleaved build by build:
 * - open: ms to open the store in a process, and its RSS then;
 * - list_tasks: p50/p99 of `findTasks` as `list_tasks` calls it (one party, newest first, 50 a page, and the
 *   next page by cursor; one party's live tasks), and RSS after;
 * - cross-process: ms from just before a transaction in one process to its change reaching a subscriber in another;
 * - compaction: every delegate→complete call's latency while the journal is folded into a new snapshot, until all
 *   of its background work (the old snapshot's and journal's freeing included) is over, and 200 calls more. The
 *   journal is first grown to the snapshot's size by updates (a compaction starts when the journal outgrows the
 *   snapshot, so in use the journal it folds and removes is as big as the store), then the compaction brought
 *   forward by lowering the store's threshold in the child: p50, worst, worst / p50, p99, calls over 10 × p50 per
 *   1,000 (and the same for the calls without one),
 *   the process's peak RSS meanwhile; and, for comparison, the worst of about as many calls just before, without one
 *   (on a loaded machine a single worst call is as much the machine's as the store's); and the child's peak RSS
 *   (VmHWM: the highest of load, lists and compaction);
 * - the real server (`dist/bin/cli.js --store <file>` over stdio, rounds interleaved build by build, medians):
 *   ms from spawn to the `initialize` answer, over an empty store's; ms from spawn to the first tool call's answer
 *   (the store loaded); its RSS after `initialize`, after the first call and after 20 list_tasks calls, and its
 *   peak RSS (VmHWM).
 * BATON_BENCH_SERVER_ONLY=1 runs only the real-server part (start-up and RSS).
 * Targets (SPEC §11): worst call ≤ 10 × p50 during a compaction; start-up ≤ 2 × an empty store at 100k; another
 * process's change in ≤ 50 ms p50; list_tasks p99 flat from 1k to 1M; RSS ≤ 200 MB at 100k in the real server.
 *
 * `rounds` > 1 runs every build that many times per size, interleaved, and reports each figure's median.
 *
 * Run alone: node --expose-gc bench/file-store.mjs   (after `npm run build`)
 */
import { fork, spawn } from 'node:child_process';
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { makeTasks } from './store-scaling.mjs';
import { ROOT_DIR, isMain, mb, monotonicMs, printChecks, printTable, quantile, round, tempDir } from './util.mjs';

export const name = 'file-store';

const SELF = fileURLToPath(import.meta.url);
const now = monotonicMs; // taken in one process, compared in another

const DEFAULTS = {
  sizes: [1_000, 100_000, ...(process.env.BATON_BENCH_1M === '1' ? [1_000_000] : [])],
  /** Child runs per build and size, builds interleaved; each figure is the median over the rounds. */
  rounds: 1,
  /** In the child: list_tasks rounds (3 queries each), cross-process writes, cycles after the compaction ended. */
  lists: 300,
  xpWrites: 60,
  cyclesAfter: 200,
  /** Cycles before the compaction is brought forward: the worst call without one, for comparison. */
  steadyCycles: 1500,
  /** Server starts per store (and per empty store), the first one a warm-up. */
  serverRuns: 5,
};

/** Tiny sizes for the benchmark smoke test (test/bench/benchmarks.test.ts): figures, not meaningful ones. */
export const SMOKE = { sizes: [300, 1_000], lists: 10, xpWrites: 5, cyclesAfter: 10, steadyCycles: 10, serverRuns: 2 };

export async function run(options = {}) {
  const config = { ...DEFAULTS, ...options };
  const { sizes } = config;
  const builds = [{ build: 'branch', root: ROOT_DIR }];
  const base = process.env.BATON_BENCH_BASE;
  if (base && existsSync(path.join(base, 'dist', 'store', 'file', 'file-task-store.js')))
    builds.unshift({ build: 'base', root: base });
  const childOptions = {
    lists: config.lists,
    xpWrites: config.xpWrites,
    cyclesAfter: config.cyclesAfter,
    steadyCycles: config.steadyCycles,
  };
  const tmp = tempDir('baton-bench-file-store-');
  const rows = [];
  const pick = (build, tasks) => rows.find((r) => r.build === build && r.tasks === tasks);
  try {
    const empty = await prepare(path.join(tmp.dir, 'empty'), 0);
    const serverOnly = process.env.BATON_BENCH_SERVER_ONLY === '1';
    for (const size of sizes) {
      const files = await prepare(path.join(tmp.dir, String(size)), size);
      const copies = {};
      if (!serverOnly) {
        const runs = new Map(builds.map((b) => [b.build, []]));
        for (let round = 0; round < config.rounds; round++) {
          for (const { build, root } of round % 2 === 0 ? builds : [...builds].reverse()) {
            const copy = path.join(tmp.dir, `${size}-${build}-${round}`, 'store.json');
            copyStore(files, copy);
            runs.get(build).push(await inChild(root, copy, 'main', childOptions));
            rmSync(path.dirname(copy), { recursive: true, force: true }); // at 1M, a GB a copy
            console.log(`  ${build} ${size}${config.rounds > 1 ? ` round ${round + 1}` : ''}: done`);
          }
        }
        for (const { build } of builds)
          rows.push({ build, tasks: size, rounds: config.rounds, ...median(runs.get(build)) });
      } else {
        for (const { build } of builds) rows.push({ build, tasks: size });
      }
      for (const { build } of builds) {
        // The server gets a fresh copy: the child's run compacted and grew its own.
        copies[build] = path.join(tmp.dir, `${size}-${build}-server`, 'store.json');
        copyStore(files, copies[build]);
        copyStore(empty, path.join(tmp.dir, `${size}-${build}-empty`, 'store.json'));
      }
      const servers = await serverStart(
        builds,
        copies,
        (build) => path.join(tmp.dir, `${size}-${build}-empty`, 'store.json'),
        config.serverRuns,
      );
      for (const { build } of builds) Object.assign(pick(build, size), servers[build]);
      console.log(`  ${size}: server done`);
    }
  } finally {
    tmp.cleanup();
  }
  const b1k = pick('branch', sizes[0]);
  const b100k = pick('branch', sizes.includes(100_000) ? 100_000 : sizes[sizes.length - 1]);
  const bTop = pick('branch', sizes[sizes.length - 1]);
  const serverOnly = process.env.BATON_BENCH_SERVER_ONLY === '1';
  const checks = [
    {
      name: `initialize at ${b100k.tasks / 1000}k / empty store`,
      value: b100k.server_start_over_empty,
      target: '≤ 2',
      ok: b100k.server_start_over_empty <= 2,
    },
    {
      name: `server RSS MB at ${b100k.tasks / 1000}k after list queries`,
      value: b100k.server_rss_mb,
      target: '≤ 200',
      ok: b100k.server_rss_mb <= 200,
    },
  ];
  if (!serverOnly)
    checks.push(
      {
        name: `worst call during a compaction / p50, ${b100k.tasks / 1000}k, journal of ${b100k.compaction_journal_mb} MB`,
        value: b100k.compaction_worst_over_p50,
        target: '≤ 10',
        ok: b100k.compaction_worst_over_p50 <= 10,
      },
      {
        name: `the same, journal of ${b100k.small_compaction_journal_mb} MB (the store's own stalls)`,
        value: b100k.small_compaction_worst_over_p50,
        target: '≤ 10',
        ok: b100k.small_compaction_worst_over_p50 <= 10,
      },
      { name: 'cross-process change p50 ms', value: b100k.xp_p50_ms, target: '≤ 50', ok: b100k.xp_p50_ms <= 50 },
      {
        name: `list_tasks p99 ${bTop.tasks / 1000}k / ${b1k.tasks / 1000}k`,
        value: round(bTop.list_p99_ms / b1k.list_p99_ms, 2),
        target: '≤ 2 (flat)',
        ok: bTop.list_p99_ms / b1k.list_p99_ms <= 2,
      },
    );
  return { sizes, builds: builds.map((b) => b.build), rows, checks };
}

export function print(result) {
  printTable(
    'file store at scale (per build and size)',
    [
      { key: 'build', label: 'build' },
      { key: 'tasks', label: 'tasks', digits: 0 },
      { key: 'open_ms', label: 'open ms', digits: 0 },
      { key: 'list_p50_ms', label: 'list p50 ms', digits: 3 },
      { key: 'list_p99_ms', label: 'list p99 ms', digits: 3 },
      { key: 'xp_p50_ms', label: 'xproc p50', digits: 1 },
      { key: 'xp_p99_ms', label: 'xproc p99', digits: 1 },
      { key: 'small_compaction_journal_mb', label: 'small journal MB', digits: 0 },
      { key: 'small_compaction_worst_over_p50', label: 'its worst/p50', digits: 1 },
      { key: 'small_steady_worst_ms', label: 'its worst without', digits: 1 },
      { key: 'compaction_journal_mb', label: 'journal MB', digits: 0 },
      { key: 'compaction_p50_ms', label: 'cycle p50', digits: 2 },
      { key: 'compaction_worst_ms', label: 'worst in compaction', digits: 1 },
      { key: 'compaction_worst_over_p50', label: 'worst/p50', digits: 1 },
      { key: 'compaction_p99_ms', label: 'p99 in compaction', digits: 1 },
      { key: 'steady_worst_ms', label: 'worst without', digits: 1 },
      { key: 'compaction_slow_per_1000', label: '>10×p50 per 1000', digits: 1 },
      { key: 'steady_slow_per_1000', label: 'the same without', digits: 1 },
      { key: 'compaction_peak_rss_mb', label: 'peak RSS in compaction', digits: 0 },
      { key: 'rss_after_list_mb', label: 'RSS store MB', digits: 0 },
      { key: 'rss_peak_mb', label: 'peak RSS store MB', digits: 0 },
      { key: 'server_empty_start_ms', label: 'init empty ms', digits: 0 },
      { key: 'server_start_ms', label: 'init ms', digits: 0 },
      { key: 'server_start_over_empty', label: 'init/empty', digits: 2 },
      { key: 'server_loaded_ms', label: 'first call ms', digits: 0 },
      { key: 'server_rss_init_mb', label: 'server RSS init', digits: 0 },
      { key: 'server_rss_loaded_mb', label: 'server RSS loaded', digits: 0 },
      { key: 'server_rss_mb', label: 'server RSS lists', digits: 0 },
      { key: 'server_rss_peak_mb', label: 'server peak RSS', digits: 0 },
    ],
    result.rows,
  );
  printChecks('file store targets (branch)', result.checks);
}

// ---- preparing ---------------------------------------------------------------------------------------------------

async function prepare(dir, size) {
  const { SnapshotFile } = await import('../dist/store/file/snapshot-file.js');
  const { TaskSchema } = await import('../dist/model/task.js');
  const { InboxItemSchema } = await import('../dist/model/inbox.js');
  const { SessionSchema } = await import('../dist/model/session.js');
  const { SCHEMA_VERSION } = await import('../dist/store/file/file-task-store.js');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'store.json');
  const tasks = size > 0 ? await makeTasks(size, Date.now()) : [];
  await new SnapshotFile(file, { tasks: TaskSchema, inbox: InboxItemSchema, sessions: SessionSchema }).write({
    schema_version: SCHEMA_VERSION,
    generation: 1,
    seq: tasks.length,
    tasks,
    inbox: [],
    sessions: [],
  });
  writeFileSync(`${file}.journal`, `${JSON.stringify({ generation: 1 })}\n`);
  return file;
}

function copyStore(from, to) {
  mkdirSync(path.dirname(to), { recursive: true });
  copyFileSync(from, to);
  copyFileSync(`${from}.journal`, `${to}.journal`);
}

// ---- the store in a child process -------------------------------------------------------------------------------

/** Per field, the median over the rounds' results (a number), or the first round's value (anything else). */
function median(results) {
  const out = {};
  for (const key of Object.keys(results[0])) {
    const values = results.map((r) => r[key]);
    out[key] = values.every((v) => typeof v === 'number') ? round(quantile(values, 0.5), 3) : values[0];
  }
  return out;
}

function inChild(root, file, role = 'main', options = {}) {
  return new Promise((resolve, reject) => {
    const proc = fork(SELF, ['--file-store-child', role, root, file, JSON.stringify(options)], {
      execArgv: ['--expose-gc'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    proc.on('message', (m) => {
      if (m.result) resolve(m.result);
      if (m.error) reject(new Error(m.error));
    });
    proc.on('exit', (code) => reject(new Error(`bench child exited (${code})`)));
  });
}

const rss = () => {
  globalThis.gc?.();
  return mb(process.memoryUsage().rss);
};

async function child(root, file, options) {
  const { LowdbTaskStore } = await import(path.join(root, 'dist', 'store', 'file', 'file-task-store.js'));
  const t0 = performance.now();
  const store = await LowdbTaskStore.open({ path: file });
  const open_ms = round(performance.now() - t0, 1);
  const rss_open_mb = rss();
  const newest = (await store.findTasks({ limit: 1 })).tasks[0];
  const party = newest?.assignee_id ?? 'nobody';

  // list_tasks as the tool calls it: a page, the next page, one party's live tasks.
  const lists = [];
  for (let i = 0; i < options.lists; i++) {
    let t = performance.now();
    const page = await store.findTasks({ party, order: 'newest', limit: 50 });
    lists.push(performance.now() - t);
    t = performance.now();
    await store.findTasks({ party, order: 'newest', limit: 50, cursor: page.next_cursor });
    lists.push(performance.now() - t);
    t = performance.now();
    await store.findTasks({ party, status: ['in_progress', 'pending'], order: 'newest', limit: 50 });
    lists.push(performance.now() - t);
  }
  const rss_after_list_mb = rss();

  // Cross-process: a peer subscribes; this process writes; the peer measures.
  const peer = fork(SELF, ['--file-store-child', 'peer', root, file], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise((r) => peer.once('message', r));
  for (let i = 0; i < options.xpWrites; i++) {
    await store.transact((tx) => tx.putTask({ ...templateTask(newest, `xp-${i}`), description: String(now()) }));
    await new Promise((r) => setTimeout(r, 15 + Math.random() * 20));
  }
  peer.send('report');
  const xp = await new Promise((r) => peer.once('message', r));
  peer.kill();

  // Compaction, twice: first of the journal as it is (small: what the store itself adds while a compaction
  // runs), then of a journal as large as the snapshot, as a compaction finds it in use (it starts when the journal
  // outgrows the snapshot): the journal it folds, and removes, is as big as the store.
  const files = store.files;
  const small = await compaction(store, files, newest, file, options, 'small');
  const some = (await store.findTasks({ limit: 100 })).tasks;
  for (let k = 0; files.offset < files.snapshotBytes; k++) {
    await store.transact((tx) => {
      for (const t of some) tx.putTask({ ...t, description: `${k} ${t.description}` });
    });
  }
  globalThis.gc?.(); // the fill's garbage is not the compaction's
  const full = await compaction(store, files, newest, file, options, 'full');
  await store.close();
  const rss_peak_mb = rssOf(process.pid).peak; // the load, the lists and the compactions: the highest of them
  return {
    open_ms,
    rss_open_mb,
    list_p50_ms: round(quantile(lists, 0.5), 3),
    list_p99_ms: round(quantile(lists, 0.99), 3),
    rss_after_list_mb,
    rss_peak_mb,
    xp_p50_ms: round(quantile(xp, 0.5), 1),
    xp_p99_ms: round(quantile(xp, 0.99), 1),
    ...prefixed('small_', small),
    ...prefixed('', full),
  };
}

const prefixed = (prefix, figures) => Object.fromEntries(Object.entries(figures).map(([k, v]) => [prefix + k, v]));

/**
 * The same cycles without a compaction (the worst call this machine gives anyway, for comparison), then with one:
 * the threshold brought down to just past the journal's end; cycles until it ran, then some more.
 */
async function compaction(store, files, newest, file, options, label) {
  const generation = () => {
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(200);
    readSync(fd, head, 0, 200, 0);
    closeSync(fd);
    return Number(/"generation":(\d+)/.exec(head.toString('utf8'))?.[1]);
  };
  files.options.compactMinBytes = Number.POSITIVE_INFINITY; // none until it is brought forward (and none after)
  const journal_mb = mb(files.offset);
  const steady = [];
  for (let i = 0; i < options.steadyCycles; i++) steady.push(await cycle(store, newest, `steady-${label}-${i}`));
  const before = generation();
  const snapshotBytes = files.snapshotBytes;
  files.snapshotBytes = 0;
  files.options.compactMinBytes = files.offset + 128 * 1024;
  const cycles = [];
  let after = null;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 50);
  const deadline = performance.now() + 300_000;
  for (let i = 0; performance.now() < deadline; i++) {
    cycles.push(await cycle(store, newest, `cycle-${label}-${i}`));
    // Over once nothing of it runs any more: its snapshot in place and the old files' blocks freed.
    if (after === null && generation() > before && files.compacting === null) after = i;
    if (after !== null && i > after + options.cyclesAfter) break;
  }
  clearInterval(sampler);
  files.options.compactMinBytes = Number.POSITIVE_INFINITY;
  if (files.snapshotBytes === 0) files.snapshotBytes = snapshotBytes;
  const p50 = quantile(cycles, 0.5);
  const worst = Math.max(...cycles);
  // Calls over the target (10 × p50) per 1,000, with and without the compaction: a single worst call is one draw
  // from the machine's tail, and the rate tells whether the compaction makes them more frequent.
  const slow = (calls) => round((calls.filter((ms) => ms > 10 * p50).length * 1000) / calls.length, 1);
  return {
    compaction_journal_mb: journal_mb,
    compaction_slow_per_1000: slow(cycles),
    steady_slow_per_1000: slow(steady),
    compaction_cycles: cycles.length,
    compaction_done: after !== null,
    compaction_p50_ms: round(p50, 2),
    compaction_worst_ms: round(worst, 1),
    compaction_worst_over_p50: round(worst / p50, 1),
    compaction_p99_ms: round(quantile(cycles, 0.99), 1),
    compaction_peak_rss_mb: mb(peakRss),
    steady_p50_ms: round(quantile(steady, 0.5), 2),
    steady_worst_ms: round(Math.max(...steady), 1),
  };
}

/** One delegate→complete cycle as two acknowledged transactions; its ms. */
async function cycle(store, like, id) {
  const t = performance.now();
  await store.transact((tx) => tx.putTask({ ...templateTask(like, id) }));
  await store.transact(async (tx) => {
    const task = await tx.getTask(id);
    tx.putTask({ ...task, status: 'completed', finished_at: new Date().toISOString() });
  });
  return performance.now() - t;
}

function templateTask(like, id) {
  const at = new Date().toISOString();
  return {
    ...like,
    id,
    status: 'in_progress',
    parent_task_id: null,
    root_task_id: id,
    depends_on: [],
    group: null,
    claim: null,
    created_at: at,
    updated_at: at,
    finished_at: null,
    progress: [],
  };
}

async function peerChild(root, file) {
  const { LowdbTaskStore } = await import(path.join(root, 'dist', 'store', 'file', 'file-task-store.js'));
  const store = await LowdbTaskStore.open({ path: file });
  const latencies = [];
  store.subscribe(await store.headSeq(), (change) => {
    if (change.kind === 'task' && change.task.id.startsWith('xp-'))
      latencies.push(now() - Number(change.task.description));
  });
  process.on('message', () => process.send(latencies));
  process.send('ready');
}

// ---- the real server ---------------------------------------------------------------------------------------------

/**
 * Start-up and RSS of the real server per build: rounds interleaved build by build (full store, then empty), the
 * first a warm-up (the file cache); medians of the rest.
 */
async function serverStart(builds, files, emptyFile, serverRuns) {
  const runs = Object.fromEntries(builds.map(({ build }) => [build, { full: [], empty: [] }]));
  const rounds = Number(process.env.BATON_BENCH_SERVER_ROUNDS ?? serverRuns);
  for (let i = 0; i < rounds; i++) {
    for (const { build, root } of builds) {
      const full = await spawnServer(root, files[build]);
      const emptyRun = await spawnServer(root, emptyFile(build));
      if (i === 0 && rounds > 1) continue;
      runs[build].full.push(full);
      runs[build].empty.push(emptyRun);
    }
  }
  const median = (list, key) => {
    const values = list.map((r) => r[key]).filter((v) => v !== null);
    return values.length > 0 ? quantile(values, 0.5) : null;
  };
  const out = {};
  for (const { build } of builds) {
    const { full, empty } = runs[build];
    const init = median(full, 'ms');
    const emptyInit = median(empty, 'ms');
    out[build] = {
      server_start_ms: round(init, 0),
      server_empty_start_ms: round(emptyInit, 0),
      server_start_over_empty: round(init / emptyInit, 2),
      server_loaded_ms: round(median(full, 'loaded_ms'), 0),
      server_rss_init_mb: median(full, 'rss_init_mb'),
      server_rss_loaded_mb: median(full, 'rss_loaded_mb'),
      server_rss_mb: median(full, 'rss_mb'),
      server_rss_peak_mb: median(full, 'rss_peak_mb'),
      server_empty_rss_mb: median(empty, 'rss_mb'),
    };
  }
  return out;
}

/** VmRSS and VmHWM (peak) of a process, in MB; nulls off Linux. */
function rssOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Math.round(Number(new RegExp(`${name}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024);
    return { rss: field('VmRSS'), peak: field('VmHWM') };
  } catch {
    return { rss: null, peak: null };
  }
}

/**
 * Spawns the server on `file`: ms to the `initialize` answer, ms to the first list_tasks answer (it waits for the
 * store), RSS at each, and after 20 more list_tasks calls (a page, the next page, one status, one role).
 */
function spawnServer(root, file) {
  return new Promise((resolve, reject) => {
    const home = path.join(path.dirname(file), 'home');
    mkdirSync(home, { recursive: true });
    const env = { ...process.env, HOME: home };
    for (const key of Object.keys(env)) if (key.startsWith('BATON_')) delete env[key];
    const t0 = performance.now();
    const proc = spawn(process.execPath, [path.join(root, 'dist', 'bin', 'cli.js'), '--store', file], {
      cwd: path.dirname(file),
      env,
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    const send = (message) => proc.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
    const list = (id, args) => send({ id, method: 'tools/call', params: { name: 'list_tasks', arguments: args } });
    const LISTS = 20;
    const result = {
      ms: null,
      loaded_ms: null,
      rss_init_mb: null,
      rss_loaded_mb: null,
      rss_mb: null,
      rss_peak_mb: null,
    };
    let cursor = null;
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop();
      for (const line of lines) {
        const message = JSON.parse(line);
        if (message.id === 1) {
          result.ms = performance.now() - t0;
          result.rss_init_mb = rssOf(proc.pid).rss;
          send({ method: 'notifications/initialized' });
          list(100, { limit: 1 });
        } else if (message.id === 100) {
          result.loaded_ms = performance.now() - t0;
          result.rss_loaded_mb = rssOf(proc.pid).rss;
          list(101, { limit: 50 });
        } else if (message.id > 100 && message.id <= 100 + LISTS) {
          cursor = message.result?.structuredContent?.next_cursor ?? null;
          const id = message.id + 1;
          if (id > 100 + LISTS) {
            const { rss, peak } = rssOf(proc.pid);
            result.rss_mb = rss;
            result.rss_peak_mb = peak;
            proc.stdin.end();
            proc.once('exit', () => resolve(result));
          } else if (id % 3 === 0) list(id, { status: ['completed'], limit: 50 });
          else if (id % 3 === 1 && cursor) list(id, { limit: 50, cursor });
          else list(id, { role: 'assigned_to_me', limit: 50 });
        }
      }
    });
    proc.on('error', reject);
    send({
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '0' } },
    });
  });
}

// ---- entry -------------------------------------------------------------------------------------------------------

if (process.argv[2] === '--file-store-child') {
  const [, , , role, root, file, options] = process.argv;
  try {
    if (role === 'peer') await peerChild(root, file);
    else {
      const result = await child(root, file, JSON.parse(options));
      process.send({ result }, () => process.exit(0));
    }
  } catch (error) {
    process.send({ error: error?.stack ?? String(error) }, () => process.exit(1));
  }
} else if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
