/**
 * One table of issue 15's figures by store size, gathered from the benchmarks of one `npm run bench` run: cycles/s
 * (store-scaling), and per build of the file-store benchmark the worst call while a compaction runs (of a journal
 * as big as the snapshot, and over p50 of a small one too), start-up to
 * `initialize`, the server's RSS, a change from another process, and list_tasks; then the figures that do not
 * depend on the store's size (dispatch overhead, fan-out, cold start), from their benchmarks' checks. Prints
 * nothing when neither store benchmark ran.
 */
import { printTable } from './util.mjs';

/** The summary rows (one per build and size) from the figures of a run, by benchmark name. */
export function storeSummary(benchmarks) {
  const scaling = benchmarks['store-scaling'];
  const fileStore = benchmarks['file-store'];
  const rate = (size, concurrency) =>
    scaling?.sizes?.find((s) => s.tasks === size)?.baton?.phases?.find((p) => p.concurrency === concurrency)
      ?.cycles_per_s ?? null;
  const sizes = [
    ...new Set([...(scaling?.sizes ?? []).map((s) => s.tasks), ...(fileStore?.rows ?? []).map((r) => r.tasks)]),
  ].sort((a, b) => a - b);
  const builds = fileStore?.builds ?? ['branch'];
  const rows = [];
  for (const tasks of sizes) {
    for (const build of builds) {
      const r = fileStore?.rows?.find((x) => x.tasks === tasks && x.build === build) ?? {};
      const branch = build === 'branch';
      rows.push({
        tasks,
        build,
        cycles_c1: branch ? rate(tasks, 1) : null,
        cycles_c32: branch ? rate(tasks, 32) : null,
        worst_ms: r.compaction_worst_ms ?? null,
        worst_over_p50: r.compaction_worst_over_p50 ?? null,
        steady_worst_ms: r.steady_worst_ms ?? null,
        small_worst_over_p50: r.small_compaction_worst_over_p50 ?? null,
        init_ms: r.server_start_ms ?? null,
        init_over_empty: r.server_start_over_empty ?? null,
        rss_mb: r.server_rss_mb ?? null,
        xp_p50_ms: r.xp_p50_ms ?? null,
        xp_p99_ms: r.xp_p99_ms ?? null,
        list_p50_ms: r.list_p50_ms ?? null,
        list_p99_ms: r.list_p99_ms ?? null,
      });
    }
  }
  return rows.filter((r) => Object.entries(r).some(([k, v]) => k !== 'tasks' && k !== 'build' && v !== null));
}

export function printStoreSummary(benchmarks) {
  const rows = storeSummary(benchmarks);
  if (rows.length > 0) {
    printTable(
      'issue 15: the store by size (branch = this checkout; base = BATON_BENCH_BASE)',
      [
        { key: 'tasks', label: 'tasks', digits: 0 },
        { key: 'build', label: 'build' },
        { key: 'cycles_c1', label: 'cycles/s c1', digits: 0 },
        { key: 'cycles_c32', label: 'cycles/s c32', digits: 0 },
        { key: 'worst_ms', label: 'worst call in compaction ms', digits: 1 },
        { key: 'worst_over_p50', label: '/p50', digits: 1 },
        { key: 'steady_worst_ms', label: 'worst without ms', digits: 1 },
        { key: 'small_worst_over_p50', label: '/p50, small journal', digits: 1 },
        { key: 'init_ms', label: 'initialize ms', digits: 0 },
        { key: 'init_over_empty', label: '/empty', digits: 2 },
        { key: 'rss_mb', label: 'server RSS MB', digits: 0 },
        { key: 'xp_p50_ms', label: 'xproc p50 ms', digits: 1 },
        { key: 'xp_p99_ms', label: 'p99', digits: 1 },
        { key: 'list_p50_ms', label: 'list p50 ms', digits: 3 },
        { key: 'list_p99_ms', label: 'p99', digits: 3 },
      ],
      rows,
    );
  }
  const other = ['dispatch-overhead', 'fan-out', 'cold-start'].flatMap((name) =>
    (benchmarks[name]?.checks ?? []).map((c) => ({ name: `${name}: ${c.name}`, value: c.value, target: c.target })),
  );
  if (other.length > 0) {
    printTable(
      'issue 15: not by store size',
      [
        { key: 'name', label: 'figure' },
        { key: 'value', label: 'value', align: 'right', digits: 2 },
        { key: 'target', label: 'target' },
      ],
      other,
    );
  }
}
