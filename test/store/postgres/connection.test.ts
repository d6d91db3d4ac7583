import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ConfigError, StoreError } from '../../../src/errors.js';
import { connectPool, poolConfig, redact } from '../../../src/store/postgres/connection.js';
import { describePostgres, freshDatabase, postgresCaFile } from '../../helpers/postgres.js';

/** A port nothing listens on (bound, read, closed). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function failure(url: string): Promise<Error> {
  const error = await connectPool(url).then(
    ({ pool }) => pool.end().then(() => null),
    (e: unknown) => e as Error,
  );
  if (!error) throw new Error(`connecting to ${redact(url)} succeeded`);
  return error;
}

describe('poolConfig', () => {
  it('reads host, port, database and user from the URL and adds the application name and timeouts', () => {
    const { where, config } = poolConfig('postgres://bob:s3cret@db.example:6543/tasks');
    expect(where).toBe('db.example:6543/tasks');
    expect(config).toMatchObject({
      host: 'db.example',
      port: 6543,
      database: 'tasks',
      user: 'bob',
      password: 's3cret',
      application_name: 'baton',
      statement_timeout: 30_000,
      idle_in_transaction_session_timeout: 30_000,
    });
  });

  it("lets the URL's own parameters win over Baton's defaults", () => {
    const { config } = poolConfig('postgres://h/d?application_name=worker-7&statement_timeout=5000');
    expect(config).toMatchObject({ application_name: 'worker-7', statement_timeout: '5000' });
  });

  it('reads a unix socket folder from ?host=', () => {
    expect(poolConfig('postgres:///tasks?host=/run/postgresql').where).toBe('/run/postgresql:5432/tasks');
  });

  it('maps sslmode as libpq does: disable, require (no certificate check), verify-full', () => {
    expect(poolConfig('postgres://h/d?sslmode=disable').config.ssl).toBe(false);
    expect(poolConfig('postgres://h/d?sslmode=require').config.ssl).toEqual({ rejectUnauthorized: false });
    const full = poolConfig('postgres://h/d?sslmode=verify-full').config.ssl;
    expect(full).toBeTypeOf('object');
    expect((full as { rejectUnauthorized?: boolean }).rejectUnauthorized).not.toBe(false);
    expect(poolConfig('postgres://h/d').config.ssl).toBeUndefined();
  });

  it('refuses an sslmode it cannot honour, and verify-ca without a CA, in one line without the password', () => {
    expect(() => poolConfig('postgres://u:pw@h/d?sslmode=allow')).toThrow(ConfigError);
    expect(() => poolConfig('postgres://u:pw@h/d?sslmode=allow')).toThrow(/sslmode=allow is not supported; use one of/);
    const error = (() => {
      try {
        poolConfig('postgres://u:hunter2@h/d?sslmode=verify-ca');
      } catch (e) {
        return e as Error;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/^invalid --store postgres:\/\/u:\*\*\*@h\/d\?sslmode=verify-ca: .*sslrootcert/);
    expect(error?.message).not.toContain('hunter2');
  });

  it('refuses a URL that is not postgres://', () => {
    expect(() => poolConfig('mysql://h/d')).toThrow(/expected a postgres:\/\/ URL/);
  });
});

describePostgres('connectPool', () => {
  const db = freshDatabase();

  it('opens a pool whose sessions carry the application name and the statement timeout', async () => {
    const { pool, where } = await connectPool(db.url, { applicationName: 'baton-test', statementTimeoutMs: 1234 });
    try {
      const { rows } = await pool.query<{ app: string; timeout: string; idle: string }>(
        `SELECT application_name AS app, current_setting('statement_timeout') AS timeout,
                current_setting('idle_in_transaction_session_timeout') AS idle
         FROM pg_stat_activity WHERE pid = pg_backend_pid()`,
      );
      expect(rows[0]).toEqual({ app: 'baton-test', timeout: '1234ms', idle: '30s' });
      expect(where).toBe(`127.0.0.1:${new URL(db.url).port}/${db.name}`);
    } finally {
      await pool.end();
    }
  });

  describe('over TLS, as the URL asks', () => {
    const withSsl = (params: Record<string, string>) => {
      const url = new URL(db.url);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return url.toString();
    };
    const usesTls = async (url: string) => {
      const { pool } = await connectPool(url);
      try {
        const { rows } = await pool.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
        return rows[0]?.ssl;
      } finally {
        await pool.end();
      }
    };

    it('sslmode=disable is plain, require is encrypted, verify-full checks the certificate and the host', async (t) => {
      const ca = await postgresCaFile();
      if (!ca) return t.skip('the test server has no TLS certificate (no openssl, or BATON_TEST_PG_URL)');
      expect(await usesTls(withSsl({ sslmode: 'disable' }))).toBe(false);
      expect(await usesTls(withSsl({ sslmode: 'require' }))).toBe(true);
      expect(await usesTls(withSsl({ sslmode: 'verify-full', sslrootcert: ca }))).toBe(true);
    });

    it('verify-full refuses a certificate it cannot trust, in one line', async (t) => {
      const ca = await postgresCaFile();
      if (!ca) return t.skip('the test server has no TLS certificate (no openssl, or BATON_TEST_PG_URL)');
      const error = await failure(withSsl({ sslmode: 'verify-full' }));
      expect(error).toBeInstanceOf(StoreError);
      expect(error.message).toBe(
        `cannot use the PostgreSQL store at 127.0.0.1:${new URL(db.url).port}/${db.name}: self-signed certificate`,
      );
    });
  });

  it('an unreachable port stops start-up with one line naming host, port, database and the cause', async () => {
    const port = await closedPort();
    const error = await failure(`postgres://baton:pw@127.0.0.1:${port}/tasks`);
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      `cannot use the PostgreSQL store at 127.0.0.1:${port}/tasks: connection refused (is PostgreSQL running and listening there?) (ECONNREFUSED)`,
    );
  });

  it("a wrong password gives one line with the server's reason, never the password", async () => {
    const url = new URL(db.url);
    url.password = 'not-the-password';
    const error = await failure(url.toString());
    expect(error).toBeInstanceOf(StoreError);
    expect(error.message).toBe(
      `cannot use the PostgreSQL store at 127.0.0.1:${url.port}/${db.name}: password authentication failed for user "baton"`,
    );
    expect(error.message).not.toContain('not-the-password');
  });

  it('a database that does not exist gives one line naming it', async () => {
    const url = new URL(db.url);
    url.pathname = '/no_such_db';
    const error = await failure(url.toString());
    expect(error.message).toBe(
      `cannot use the PostgreSQL store at 127.0.0.1:${url.port}/no_such_db: database "no_such_db" does not exist`,
    );
  });

  it('a server that accepts but never answers gives up after the connect timeout, in one line', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => void sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await connectPool(`postgres://u:p@127.0.0.1:${port}/d`, { connectTimeoutMs: 300 }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(error?.message).toBe(`cannot use the PostgreSQL store at 127.0.0.1:${port}/d: connection timed out`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
