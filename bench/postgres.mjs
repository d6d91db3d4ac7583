/**
 * PostgreSQL (SPEC §11): acknowledged delegate→complete cycles/s at 1k and 100k stored tasks, on one Baton node and
 * on three nodes sharing the store, and the latency of a change made by one process until another process's
 * subscriber has it (p50/p99); each side by side with the file store in the same run (three processes on one
 * store file for "three nodes").
 *
 * Every node is its own process, wired as the server wires it (store, bus, task service, deadline timer). A
 * configuration's nodes run cycles at the same time, 32 workers in all (11 each for three), and its rate is their
 * sum. All configurations stay open and are measured in interleaved rounds of short windows, so that a burst of
 * load from elsewhere on the machine hits them alike. Notification latency: one process writes a task every
 * 10 ms carrying its send time, another process's subscriber notes when it arrives (one clock: same machine).
 *
 * Run alone: node bench/postgres.mjs   (after `npm run build`; `BATON_BENCH_PG_URL` to use a server of yours)
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createDatabase, loadTasks, startPostgres } from './postgres-server.mjs';
import { cycle, makeTasks, writeFileStore } from './store-scaling.mjs';
import { ForkedChild, isMain, monotonicMs, printChecks, printTable, quantile, round, tempDir } from './util.mjs';

export const name = 'postgres';

const DEFAULTS = {
  sizes: [1_000, 100_000],
  nodes: [1, 3],
  workers: 32,
  rounds: 3,
  windowMs: 1_500,
  warmupMs: 500,
  notifications: 300,
  notifyEveryMs: 10,
};

/** Tiny sizes for the benchmark smoke test (test/bench/benchmarks.test.ts): figures, not meaningful ones. */
export const SMOKE = { sizes: [200, 400], workers: 6, rounds: 1, windowMs: 200, warmupMs: 50, notifications: 20 };

export async function run(options = {}) {
  const config = { ...DEFAULTS, ...options };
  const server = await startPostgres();
  const tmp = tempDir('baton-bench-postgres-');
  const configs = [];
  try {
    for (const size of config.sizes) {
      const tasks = await makeTasks(size, Date.now());
      for (const nodes of config.nodes) {
        const url = await createDatabase(server.url, `baton_bench_${size}_${nodes}`);
        await loadTasks(url, tasks);
        const file = path.join(tmp.dir, `${size}-${nodes}`, 'store.json');
        await writeFileStore(file, tasks);
        for (const [store, location] of [
          ['postgres', url],
          ['file', file],
        ]) {
          const children = [];
          for (let i = 0; i < nodes; i++) {
            const child = new Node(store, location);
            children.push(child);
            await child.ready;
          }
          configs.push({ store, tasks: size, nodes, children, windows: [] });
        }
      }
    }
    const perNode = (c) => Math.round(config.workers / c.nodes);
    const window = (c, windowMs) =>
      Promise.all(c.children.map((n) => n.request({ type: 'measure', concurrency: perNode(c), windowMs })));
    for (const c of configs) await window(c, config.warmupMs);
    for (let round = 0; round < config.rounds; round++) {
      const order = configs.map((_, i) => configs[(i + round) % configs.length]);
      for (const c of round % 2 === 0 ? order : order.reverse()) c.windows.push(await window(c, config.windowMs));
    }
    const throughput = configs.map((c) => summarise(c, perNode(c)));

    // Notification latency, across processes, on the 1k stores of the three-node configurations.
    const latency = [];
    for (const store of ['postgres', 'file']) {
      const c = configs.find(
        (x) => x.store === store && x.nodes === Math.max(...config.nodes) && x.tasks === Math.min(...config.sizes),
      );
      const [listener, writer] = c.children;
      await listener.request({ type: 'listen' });
      await writer.request({ type: 'write', n: config.notifications, everyMs: config.notifyEveryMs });
      const { latencies } = await listener.request({ type: 'heard', n: config.notifications });
      latency.push({
        store,
        changes: config.notifications,
        heard: latencies.length,
        p50_ms: round(quantile(latencies, 0.5), 2),
        p99_ms: round(quantile(latencies, 0.99), 2),
        max_ms: round(Math.max(...latencies), 2),
      });
    }
    for (const c of configs) for (const n of c.children) await n.request({ type: 'close' });
    return { config: describe(config), throughput, latency, checks: checksOf(throughput, latency) };
  } finally {
    for (const c of configs) for (const n of c.children) n.kill();
    tmp.cleanup();
    await server.stop();
  }
}

function summarise(c, perNode) {
  const rates = c.windows.map((w) => w.reduce((n, x) => n + x.cycles / x.seconds, 0));
  const cycles = c.windows.flat().reduce((n, x) => n + x.cycles, 0);
  const latencies = c.windows.flat().flatMap((x) => x.latencies);
  return {
    store: c.store,
    tasks: c.tasks,
    nodes: c.nodes,
    workers: perNode * c.nodes,
    cycles,
    cycles_per_s: round(rates.reduce((a, b) => a + b, 0) / rates.length, 1),
    window_cycles_per_s: rates.map((r) => round(r, 0)),
    p50_ms: round(quantile(latencies, 0.5), 2),
    p99_ms: round(quantile(latencies, 0.99), 2),
  };
}

function checksOf(throughput, latency) {
  const rate = (store, tasks, nodes) =>
    throughput.find((t) => t.store === store && t.tasks === tasks && t.nodes === nodes)?.cycles_per_s ?? null;
  const ratio = (a, b) => (a !== null && b !== null && b > 0 ? round(a / b, 2) : null);
  const sizes = [...new Set(throughput.map((t) => t.tasks))];
  const big = Math.max(...sizes);
  const small = Math.min(...sizes);
  // SPEC §11 names these figures without a target: they are reported, side by side, never failed.
  const info = (name, value) => ({ name, value, target: 'reported', ok: true });
  const checks = [];
  for (const nodes of [1, 3]) {
    checks.push(
      info(
        `postgres ${label(big)} / postgres ${label(small)}, ${nodes} node(s)`,
        ratio(rate('postgres', big, nodes), rate('postgres', small, nodes)),
      ),
    );
  }
  for (const tasks of sizes) {
    checks.push(
      info(`postgres 3 nodes / 1 node, ${label(tasks)}`, ratio(rate('postgres', tasks, 3), rate('postgres', tasks, 1))),
    );
    checks.push(
      info(`postgres / file, 1 node, ${label(tasks)}`, ratio(rate('postgres', tasks, 1), rate('file', tasks, 1))),
    );
    checks.push(
      info(`postgres / file, 3 nodes, ${label(tasks)}`, ratio(rate('postgres', tasks, 3), rate('file', tasks, 3))),
    );
  }
  const pg = latency.find((l) => l.store === 'postgres');
  const file = latency.find((l) => l.store === 'file');
  checks.push(info('cross-process notification p50, postgres / file', ratio(pg?.p50_ms ?? null, file?.p50_ms ?? null)));
  return checks;
}

function describe(config) {
  return {
    sizes: config.sizes,
    nodes: config.nodes,
    workers: `${config.workers} in all, split evenly over the nodes`,
    windows: `${config.rounds} interleaved rounds of ${config.windowMs} ms per configuration, after ${config.warmupMs} ms warm-up`,
    cycle: 'delegate (host → agent-k) then complete by agent-k, each acknowledged after its change is durable',
    notifications: `${config.notifications} tasks written by one process every ${config.notifyEveryMs} ms, heard by another's subscriber`,
    file_three_nodes: 'three processes on one store file (the file store shares a machine, not a network)',
  };
}

export function print(result) {
  printTable(
    'postgres: acknowledged delegate→complete cycles/s, side by side with the file store',
    [
      { key: 'tasks', label: 'tasks' },
      { key: 'store', label: 'store' },
      { key: 'nodes', label: 'nodes', digits: 0 },
      { key: 'workers', label: 'workers', digits: 0 },
      { key: 'cycles', label: 'cycles', digits: 0 },
      { key: 'rate', label: 'cycles/s', digits: 1 },
      { key: 'spread', label: 'per window', align: 'right' },
      { key: 'p50', label: 'p50 ms', digits: 2 },
      { key: 'p99', label: 'p99 ms', digits: 2 },
    ],
    result.throughput.map((t) => ({
      tasks: label(t.tasks),
      store: t.store,
      nodes: t.nodes,
      workers: t.workers,
      cycles: t.cycles,
      rate: t.cycles_per_s,
      spread: t.window_cycles_per_s.join(' / '),
      p50: t.p50_ms,
      p99: t.p99_ms,
    })),
  );
  printTable(
    'postgres: a change by one process until another process has it (ms)',
    [
      { key: 'store', label: 'store' },
      { key: 'changes', label: 'changes', digits: 0 },
      { key: 'heard', label: 'heard', digits: 0 },
      { key: 'p50_ms', label: 'p50 ms', digits: 2 },
      { key: 'p99_ms', label: 'p99 ms', digits: 2 },
      { key: 'max_ms', label: 'max ms', digits: 2 },
    ],
    result.latency,
  );
  printChecks('postgres: ratios (reported; SPEC §11 sets no target)', result.checks);
}

const label = (n) => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

// ---- one node, in a child process ------------------------------------------------------------------------------

class Node extends ForkedChild {
  constructor(store, location) {
    super(fileURLToPath(import.meta.url), ['--node', location], `${store} node`);
  }
}

const now = monotonicMs; // taken in one process, compared in another

async function nodeMain(location) {
  const { openStore } = await import('../dist/store/open-store.js');
  const { TaskService } = await import('../dist/tasks/task-service.js');
  const { InMemoryEventBus } = await import('../dist/events/in-memory-event-bus.js');
  const { DeadlineTimer } = await import('../dist/tasks/deadline-timer.js');
  const { silentLogger } = await import('../dist/log.js');
  const store = await openStore(location, { log: silentLogger });
  const bus = new InMemoryEventBus(silentLogger);
  const service = new TaskService({ store, bus, defaultTimeoutSeconds: 600 });
  await service.start();
  const deadlines = new DeadlineTimer(service, bus, silentLogger);
  await deadlines.start();
  const heard = [];
  const handlers = {
    async measure({ concurrency, windowMs }) {
      const latencies = [];
      const t0 = performance.now();
      const end = t0 + windowMs;
      let n = 0;
      const worker = async (w) => {
        while (performance.now() < end) {
          const s = performance.now();
          await cycle(service, w, n++);
          latencies.push(round(performance.now() - s, 3));
        }
      };
      await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
      return { cycles: latencies.length, seconds: (performance.now() - t0) / 1000, latencies };
    },
    async listen() {
      store.subscribe(await store.headSeq(), (change) => {
        const sent = change.kind === 'task' ? change.task.payload?.sent : undefined;
        if (typeof sent === 'number') heard.push(now() - sent);
      });
      return {};
    },
    async write({ n, everyMs }) {
      const { task } = await import('./postgres-task.mjs');
      const { NOT_RUN } = await import('../dist/model/task.js');
      for (let i = 0; i < n; i++) {
        const t = task(`ping-${i}-${process.pid}`, { sent: now() }, NOT_RUN);
        await store.transact((tx) => tx.putTask(t));
        await new Promise((r) => setTimeout(r, everyMs));
      }
      return {};
    },
    async heard({ n }) {
      const until = Date.now() + 10_000;
      while (heard.length < n && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
      return { latencies: heard.map((x) => round(x, 3)) };
    },
    async close() {
      deadlines.stop();
      service.stop();
      await store.close();
      return {};
    },
  };
  process.on('message', (message) => {
    handlers[message.type](message).then(
      (reply) => process.send(reply, () => message.type === 'close' && process.exit(0)),
      (error) => process.send({ error: error?.stack ?? String(error) }, () => process.exit(1)),
    );
  });
  process.send({ ready: true });
}

if (process.argv[2] === '--node' && process.send) {
  process.on('disconnect', () => process.exit(1));
  nodeMain(process.argv[3]).catch((error) =>
    process.send({ error: error?.stack ?? String(error) }, () => process.exit(1)),
  );
} else if (isMain(import.meta.url)) {
  const result = await run();
  print(result);
}
