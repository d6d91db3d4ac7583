import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { describePostgres, freshDatabase } from '../../helpers/postgres.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const THIS_FILE = path.relative(ROOT, fileURLToPath(import.meta.url));

describePostgres('the test PostgreSQL', () => {
  const db = freshDatabase();

  it('runs a query in a database of this file, with fsync and synchronous commits on', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ db: string; fsync: string; sync: string }>(
        "SELECT current_database() AS db, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync",
      );
      expect(rows[0]).toEqual({ db: db.name, fsync: 'on', sync: 'on' });
    } finally {
      await client.end();
    }
  });
});

describe('the test run without PostgreSQL', () => {
  /** This file in a vitest run of its own, where no initdb can be found. */
  const runWithout = (env: Record<string, string> = {}) =>
    promisify(execFile)(
      process.execPath,
      [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', THIS_FILE, '-t', 'the test PostgreSQL'],
      {
        cwd: ROOT,
        env: { ...process.env, BATON_TEST_PG_BINDIR: '/nonexistent', BATON_TEST_PG_URL: '', NO_COLOR: '1', ...env },
      },
    );

  it('skips the PostgreSQL suites, saying once what is missing and how to get it, and passes', async () => {
    const { stdout, stderr } = await runWithout({ BATON_TEST_PG_REQUIRED: '' });
    expect(stderr.match(/PostgreSQL suites skipped/g)).toHaveLength(1);
    expect(stderr).toContain(
      'PostgreSQL suites skipped: no initdb and pg_ctl in /nonexistent (install PostgreSQL: apt-get install -y postgresql)',
    );
    expect(stdout).toMatch(/skipped/);
  });

  it('fails instead when BATON_TEST_PG_REQUIRED=1 (CI)', async () => {
    const error = await runWithout({ BATON_TEST_PG_REQUIRED: '1' }).catch(
      (e: unknown) => e as Error & { stderr: string },
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as { stderr: string }).stderr).toContain('BATON_TEST_PG_REQUIRED=1, but PostgreSQL suites skipped');
  });
});
