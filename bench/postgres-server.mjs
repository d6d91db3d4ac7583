/**
 * A PostgreSQL server for the benchmarks: `BATON_BENCH_PG_URL` (or `BATON_TEST_PG_URL`) when set, a user there
 * who may CREATE DATABASE; else a throwaway cluster from the Debian package, started as the tests start theirs
 * (test/helpers/postgres-cluster.ts, compiled on the fly with esbuild) and removed at the end.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT_DIR, tempDir } from './util.mjs';

export async function startPostgres() {
  const given = process.env.BATON_BENCH_PG_URL ?? process.env.BATON_TEST_PG_URL;
  if (given) return { url: given, stop: async () => undefined };
  const esbuild = createRequire(import.meta.url)('esbuild');
  const tmp = tempDir('baton-bench-pg-helper-');
  const outfile = path.join(tmp.dir, 'postgres-cluster.mjs');
  await esbuild.build({
    entryPoints: [path.join(ROOT_DIR, 'test', 'helpers', 'postgres-cluster.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'warning',
  });
  const { PostgresCluster, unavailable } = await import(pathToFileURL(outfile).href);
  const reason = unavailable();
  if (reason) {
    tmp.cleanup();
    throw new Error(`no PostgreSQL for the benchmark: ${reason}; or set BATON_BENCH_PG_URL`);
  }
  const cluster = await PostgresCluster.start();
  return {
    url: cluster.url,
    stop: async () => {
      await cluster.stop();
      tmp.cleanup();
    },
  };
}

/** A new empty database on the server; its URL. */
export async function createDatabase(adminUrl, name) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Migrates the database at `url` (by opening Baton's store on it) and loads `tasks` into it, as if stored by Baton. */
export async function loadTasks(url, tasks) {
  const { PostgresTaskStore } = await import('../dist/store/postgres/postgres-task-store.js');
  await (await PostgresTaskStore.open({ url })).close();
  const { writeTasks } = await import('../dist/store/postgres/task-rows.js');
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('BEGIN');
    for (let i = 0; i < tasks.length; i += 2000) await writeTasks(client, tasks.slice(i, i + 2000));
    await client.query("UPDATE counters SET value = $1 WHERE name = 'change'", [tasks.length]);
    await client.query('COMMIT');
    await client.query('VACUUM ANALYZE');
  } finally {
    await client.end();
  }
}
