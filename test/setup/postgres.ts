/**
 * vitest globalSetup: one PostgreSQL for the whole run (SPEC §9's backend is tested against the real server).
 * With `BATON_TEST_PG_URL` (a server where that user may CREATE DATABASE) it is used as it is; else a throwaway
 * cluster is started (test/helpers/postgres-cluster.ts) and removed at the end, whether the tests passed or not.
 * The cluster starts when the first PostgreSQL suite asks for it (test/helpers/postgres.ts), while the other
 * files run; a run without such suites starts none. When PostgreSQL cannot be had, they are skipped, saying once why and how to get it,
 * and everything else runs; with `BATON_TEST_PG_REQUIRED=1` (CI) that is a failure instead.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PostgresCluster, unavailable } from '../helpers/postgres-cluster.js';
import type { PostgresContext, PostgresReady } from '../helpers/postgres.js';

export default function setup(project: TestProject): () => Promise<void> {
  const given = process.env.BATON_TEST_PG_URL;
  const reason = given ? null : unavailable();
  if (reason !== null) {
    const line = `PostgreSQL suites skipped: ${reason}; or set BATON_TEST_PG_URL to a server where you may CREATE DATABASE`;
    if (process.env.BATON_TEST_PG_REQUIRED === '1') throw new Error(`BATON_TEST_PG_REQUIRED=1, but ${line}`);
    process.stderr.write(`${line}\n`);
    project.provide('postgres', { skip: reason } satisfies PostgresContext);
    return async () => undefined;
  }
  // The suites ask for the server by creating `wantFile`, and learn its URL (or why there is none) from
  // `readyFile`: a run without PostgreSQL suites never starts one.
  const signals = mkdtempSync(path.join(tmpdir(), 'baton-pg-ready-'));
  const readyFile = path.join(signals, 'ready.json');
  const wantFile = path.join(signals, 'wanted');
  project.provide('postgres', { readyFile, wantFile } satisfies PostgresContext);
  const publish = (value: PostgresReady) => writeFileSync(readyFile, JSON.stringify(value));

  if (given) {
    publish({ url: given, caFile: null });
    return async () => rmSync(signals, { recursive: true, force: true });
  }
  let cluster: PostgresCluster | null = null;
  let started: Promise<unknown> | null = null;
  const start = () =>
    PostgresCluster.start().then(
      (c) => {
        cluster = c;
        publish({ url: c.url, caFile: c.caFile });
      },
      (error: unknown) => publish({ error: `the test PostgreSQL cluster did not start: ${String(error)}` }),
    );
  const watch = setInterval(() => {
    if (started || !existsSync(wantFile)) return;
    clearInterval(watch);
    started = start();
  }, 20);
  // An exit without teardown (an error in vitest itself) still stops the server.
  const onExit = () => cluster?.stopSync();
  process.once('exit', onExit);
  return async () => {
    clearInterval(watch);
    await started;
    process.off('exit', onExit);
    await (cluster as PostgresCluster | null)?.stop();
    rmSync(signals, { recursive: true, force: true });
  };
}
