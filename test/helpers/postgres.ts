/**
 * The PostgreSQL the test run has (test/setup/postgres.ts), for the suites of the PostgreSQL backend:
 * `describePostgres` (skipped, with the reason, when there is none), `postgresUrl()` and one fresh database per
 * test file (`freshDatabase()`) or per test (`createDatabase()`), dropped after.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, inject } from 'vitest';

export type PostgresContext = { skip: string } | { readyFile: string; wantFile: string };

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresContext;
  }
}

const context = inject('postgres');
/** Why the PostgreSQL suites are skipped in this run, or null when they run. */
export const postgresSkipped: string | null = 'skip' in context ? context.skip : null;

/** `describe` for a suite that needs PostgreSQL: skipped, naming why, when the run has none. */
export function describePostgres(name: string, fn: () => void): void {
  if (postgresSkipped) describe.skip(`${name} (skipped: ${postgresSkipped})`, fn);
  else describe(name, fn);
}

/** What the run's server is, once it is up: a superuser (or CREATEDB) URL over TCP, and its TLS certificate. */
export type PostgresReady = { url: string; caFile: string | null } | { error: string };

let ready: Promise<{ url: string; caFile: string | null }> | null = null;

/** The URL of a superuser (or CREATEDB) connection to the run's server, once it is up. */
export async function postgresUrl(): Promise<string> {
  return (await postgresServer()).url;
}

/** The self-signed certificate the run's server uses for TLS, or null when it has none (BATON_TEST_PG_URL). */
export async function postgresCaFile(): Promise<string | null> {
  return (await postgresServer()).caFile;
}

function postgresServer(): Promise<{ url: string; caFile: string | null }> {
  if ('skip' in context) return Promise.reject(new Error(`no PostgreSQL: ${context.skip}`));
  const { readyFile, wantFile } = context;
  ready ??= (async () => {
    writeFileSync(wantFile, '');
    const deadline = Date.now() + 120_000;
    while (!existsSync(readyFile)) {
      if (Date.now() > deadline) throw new Error('the test PostgreSQL cluster did not start within 120 s');
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    const server = JSON.parse(readFileSync(readyFile, 'utf8')) as PostgresReady;
    if ('error' in server) throw new Error(server.error);
    return server;
  })();
  return ready;
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A new empty database `baton_test_<random>` on the run's server. */
export async function createDatabase(): Promise<TestDatabase> {
  const admin = await postgresUrl();
  const name = `baton_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(admin, (client) => client.query(`CREATE DATABASE ${name}`));
  const target = new URL(admin);
  target.pathname = `/${name}`;
  return {
    name,
    url: target.toString(),
    // FORCE: connections a failed test left open do not keep it.
    drop: () =>
      withAdmin(admin, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** One database for the tests of a file (or describe block): created before them, dropped after. */
export function freshDatabase(): { readonly url: string; readonly name: string } {
  let db: TestDatabase | null = null;
  beforeAll(async () => {
    db = await createDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get url() {
      if (!db) throw new Error('freshDatabase(): the database is made in beforeAll; read url inside a test or hook');
      return db.url;
    },
    get name() {
      if (!db) throw new Error('freshDatabase(): the database is made in beforeAll');
      return db.name;
    },
  };
}

async function withAdmin<T>(admin: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
