/**
 * The connection to PostgreSQL (SPEC §9): a `pg.Pool` from a `postgres://` URL. The URL is read as libpq reads it
 * (user, password, host or `?host=/socket/dir`, port, database, `sslmode`, `sslrootcert`, `sslcert`, `sslkey`,
 * `application_name`, `options`); Baton adds an application name and timeouts, so that a stalled process cannot
 * hold the store's sequence row lock (schema.ts) for long. Nothing here prints the password.
 */
import pg from 'pg';
import type { PoolConfig } from 'pg';
import { parse, toClientConfig } from 'pg-connection-string';
import { ConfigError, StoreError, errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';

export interface PostgresConnectionOptions {
  /** Shown in `pg_stat_activity`; the URL's `application_name` wins. Default `baton`. */
  applicationName?: string;
  /** Connections in the pool. Default 10. */
  max?: number;
  /** A statement running longer is cancelled by the server. Default 30 s. */
  statementTimeoutMs?: number;
  /** A session idle inside a transaction this long is ended by the server (its locks let go). Default 30 s. */
  idleInTransactionTimeoutMs?: number;
  /** Giving up on connecting. Default 10 s. */
  connectTimeoutMs?: number;
  log?: Logger;
}

/** Where a URL points, for messages: `host:port/database`, never the user's password. */
export interface PostgresTarget {
  where: string;
  config: PoolConfig;
}

const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;

/** True for the `--store` values that name a PostgreSQL database. */
export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/**
 * The pool configuration of a `postgres://` URL. `sslmode` has libpq's meaning, except that node-postgres cannot
 * fall back to a plain connection: `prefer` is `require` (TLS without checking the certificate), `verify-ca`
 * checks the chain against `sslrootcert`, `verify-full` the chain and the host name. Throws `ConfigError`.
 */
export function poolConfig(url: string, options: PostgresConnectionOptions = {}): PostgresTarget {
  if (!isPostgresUrl(url)) throw new ConfigError(`invalid --store: expected a postgres:// URL (got ${redact(url)})`);
  const mode = new URLSearchParams(url.split('?')[1] ?? '').get('sslmode');
  if (mode !== null && !(SSL_MODES as readonly string[]).includes(mode)) {
    throw new ConfigError(`invalid --store: sslmode=${mode} is not supported; use one of ${SSL_MODES.join(', ')}`);
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(url, { useLibpqCompat: true });
  } catch (error) {
    throw new ConfigError(`invalid --store ${redact(url)}: ${errorMessage(error)}`, { cause: error });
  }
  const client = toClientConfig(parsed);
  const statementTimeout = options.statementTimeoutMs ?? 30_000;
  const config: PoolConfig = {
    application_name: options.applicationName ?? 'baton',
    statement_timeout: statementTimeout,
    idle_in_transaction_session_timeout: options.idleInTransactionTimeoutMs ?? 30_000,
    // The client's own limit, for a server that can no longer answer (a cut network); the server's comes first.
    query_timeout: statementTimeout + 5_000,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000,
    keepAlive: true,
    max: options.max ?? 10,
    // What the URL says wins over Baton's defaults.
    ...client,
  };
  const host = config.host || process.env.PGHOST || 'localhost';
  const port = config.port || Number(process.env.PGPORT) || 5432;
  const database = config.database || process.env.PGDATABASE || config.user || process.env.PGUSER || 'postgres';
  return { where: `${host}:${port}/${database}`, config };
}

/**
 * Opens a pool and checks it with one query, so that a bad URL, an unreachable server or refused credentials stop
 * start-up at once with one line (`StoreError`) naming where and why.
 */
export async function connectPool(url: string, options: PostgresConnectionOptions = {}): Promise<PostgresPool> {
  const { where, config } = poolConfig(url, options);
  const pool = new pg.Pool(config);
  // An idle connection the server ended (a restart, a terminated backend) is an 'error' event: without a
  // listener it would end the process. The pool drops that connection and opens another when next needed.
  pool.on('error', (error) => options.log?.warn('PostgreSQL connection lost', { where, error: errorMessage(error) }));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw connectionError(where, error);
  }
  return { pool, where, config };
}

export interface PostgresPool {
  pool: pg.Pool;
  /** `host:port/database`, for messages. */
  where: string;
  /** What the pool was made with: also the configuration of one more connection (the change listener's). */
  config: PoolConfig;
}

/** One line for a failure to reach or use the database at `where`: the cause, without a stack. */
export function connectionError(where: string, error: unknown): StoreError {
  return new StoreError(`cannot use the PostgreSQL store at ${where}: ${causeOf(error)}`, { cause: error });
}

const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running and listening there?)',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ECONNRESET: 'connection reset by the server',
  ENOENT: 'no server socket there (is PostgreSQL running?)',
};

/** The cause of a connection failure in words: PostgreSQL's own message, or the network error's. */
function causeOf(error: unknown): string {
  // Node tries every address of a host (IPv6 and IPv4) and reports them together.
  if (error instanceof AggregateError && error.errors.length > 0) return causeOf(error.errors[0]);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK[code]) return `${NETWORK[code]} (${code})`;
  const message = errorMessage(error);
  if (/timeout expired|Connection terminated due to connection timeout/i.test(message)) {
    return 'connection timed out';
  }
  return message || 'unknown error';
}

/** A URL without its password, for messages. */
export function redact(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
