/**
 * vitest globalSetup: one PostgreSQL for the whole run (SPEC §9's backend is tested against the real server).
 * With `BATON_TEST_PG_URL` (a server where that user may CREATE DATABASE) it is used as it is; else a throwaway
 * cluster is started (test/helpers/postgres-cluster.ts) and removed at the end, whether the tests passed or not.
 * The cluster starts in the background while vitest collects the test files; the PostgreSQL suites wait for it
 * (test/helpers/postgres.ts). When PostgreSQL cannot be had, they are skipped, saying once why and how to get it,
 * and everything else runs; with `BATON_TEST_PG_REQUIRED=1` (CI) that is a failure instead.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { PostgresCluster, unavailable } from '../helpers/postgres-cluster.js';
import type { PostgresContext } from '../helpers/postgres.js';

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
  // Where the suites learn the URL, or why there is none: written once the server is up.
  const signals = mkdtempSync(path.join(tmpdir(), 'baton-pg-ready-'));
  const readyFile = path.join(signals, 'ready.json');
  project.provide('postgres', { readyFile } satisfies PostgresContext);
  const publish = (value: { url: string } | { error: string }) => writeFileSync(readyFile, JSON.stringify(value));

  if (given) {
    publish({ url: given });
    return async () => rmSync(signals, { recursive: true, force: true });
  }
  const started = PostgresCluster.start().then(
    (cluster) => {
      publish({ url: cluster.url });
      return cluster;
    },
    (error: unknown) => {
      publish({ error: `the test PostgreSQL cluster did not start: ${String(error)}` });
      return null;
    },
  );
  // An exit without teardown (an error in vitest itself) still stops the server.
  let cluster: PostgresCluster | null = null;
  void started.then((c) => (cluster = c));
  const onExit = () => cluster?.stopSync();
  process.once('exit', onExit);
  return async () => {
    process.off('exit', onExit);
    await (await started)?.stop();
    rmSync(signals, { recursive: true, force: true });
  };
}
