/**
 * A throwaway PostgreSQL cluster for the tests (and benchmarks): `initdb` in a temp folder, started by `pg_ctl`
 * on a free loopback port with its unix socket in that folder, as a user other than root (PostgreSQL refuses to
 * run as root: as root, the `postgres` user the Debian package creates), stopped and removed at the end. fsync
 * stays on: "acknowledged = on disk" is part of what the tests check.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { isRunning } from './process-state.js';

/** What to install when PostgreSQL is missing. */
export const INSTALL_HINT = 'apt-get install -y postgresql';
const PREFIX = 'baton-pg-';
const SUPERUSER = 'baton';

export interface Binaries {
  initdb: string;
  pgCtl: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

/**
 * `initdb` and `pg_ctl` from `BATON_TEST_PG_BINDIR` when set, else from PATH, else from the newest
 * /usr/lib/postgresql/<version>/bin (Debian's layout).
 */
export function findBinaries(): Binaries | null {
  const only = process.env.BATON_TEST_PG_BINDIR;
  const dirs = only ? [only] : (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const debian = '/usr/lib/postgresql';
  if (!only && existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v));
    versions.sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => path.join(debian, v, 'bin')));
  }
  for (const dir of dirs) {
    const initdb = path.join(dir, 'initdb');
    const pgCtl = path.join(dir, 'pg_ctl');
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl };
  }
  return null;
}

/** Who runs the cluster: this user, or `postgres` when this is root; a reason when nobody can. */
export function clusterUser(): { runAs: RunAs | null } | { missing: string } {
  if (process.getuid?.() !== 0) return { runAs: null };
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) {
    return {
      missing: `running as root and there is no "postgres" user to run PostgreSQL as (${INSTALL_HINT} creates it)`,
    };
  }
  return { runAs: { uid: Number(uid), gid: Number(gid) } };
}

/** Why a cluster cannot be had here, or null when it can. */
export function unavailable(): string | null {
  if (!findBinaries()) {
    const where = process.env.BATON_TEST_PG_BINDIR ?? 'PATH or /usr/lib/postgresql/*/bin';
    return `no initdb and pg_ctl in ${where} (install PostgreSQL: ${INSTALL_HINT})`;
  }
  const user = clusterUser();
  return 'missing' in user ? user.missing : null;
}

export class PostgresCluster {
  private stopped = false;

  private constructor(
    readonly dir: string,
    readonly port: number,
    private readonly password: string,
    private readonly binaries: Binaries,
    private readonly runAs: RunAs | null,
    /** The server's self-signed certificate (TLS on), or null when openssl was not there to make one. */
    readonly caFile: string | null,
  ) {}

  /** A superuser URL over TCP (password authentication, so that a wrong password is refused). */
  get url(): string {
    return `postgres://${SUPERUSER}:${this.password}@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates and starts a cluster. Throws with the server's log when it cannot start. */
  static async start(): Promise<PostgresCluster> {
    const binaries = findBinaries();
    const user = clusterUser();
    if (!binaries || 'missing' in user) throw new Error(unavailable() ?? 'PostgreSQL is not available');
    removeStaleClusters(binaries);
    const dir = mkdtempSync(path.join(tmpdir(), PREFIX));
    // Whose cluster this is: a later run removes it if this process died without stopping it.
    writeFileSync(path.join(dir, 'owner'), String(process.pid));
    const password = randomBytes(12).toString('hex');
    writeFileSync(path.join(dir, 'pwfile'), password);
    if (user.runAs) {
      chownSync(dir, user.runAs.uid, user.runAs.gid);
      chownSync(path.join(dir, 'pwfile'), user.runAs.uid, user.runAs.gid);
    }
    const data = path.join(dir, 'data');
    // --no-sync: initdb's own files are throwaway; the server still fsyncs every commit.
    await run(
      binaries.initdb,
      [
        '-D',
        data,
        '-U',
        SUPERUSER,
        `--pwfile=${path.join(dir, 'pwfile')}`,
        '--auth-host=scram-sha-256',
        '--auth-local=trust',
        '-E',
        'UTF8',
        '--locale=C',
        '--no-sync',
      ],
      user.runAs,
      dir,
    );
    const tls = makeCertificate(dir, user.runAs);
    const base = readFileSync(path.join(data, 'postgresql.conf'), 'utf8');
    let lastError: unknown;
    // A free port can be taken by someone else before the server binds it: try another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      writeFileSync(path.join(data, 'postgresql.conf'), base);
      appendFileSync(path.join(data, 'postgresql.conf'), settings(dir, port, tls));
      const cluster = new PostgresCluster(
        dir,
        port,
        password,
        binaries,
        user.runAs,
        tls ? path.join(dir, 'server.crt') : null,
      );
      try {
        await run(
          binaries.pgCtl,
          ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60', 'start'],
          user.runAs,
          dir,
        );
        return cluster;
      } catch (error) {
        lastError = error;
        cluster.stopSync();
        if (!/could not bind|already in use/i.test(serverLog(dir))) break;
      }
    }
    rmSync(dir, { recursive: true, force: true });
    throw lastError;
  }

  /** Stops the server at once (nothing in it is kept) and removes its folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await run(
      this.binaries.pgCtl,
      ['-D', path.join(this.dir, 'data'), '-m', 'immediate', '-w', 'stop'],
      this.runAs,
      this.dir,
    ).catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** `stop` for an exit hook, where nothing asynchronous runs. */
  stopSync(): void {
    if (this.stopped) return;
    this.stopped = true;
    stopSyncAt(this.binaries, this.dir, this.runAs);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** A test cluster: small, loopback only, its socket in its own folder, every commit fsynced; TLS when it can. */
function settings(dir: string, port: number, tls: boolean): string {
  const ssl = tls ? `ssl = on\nssl_cert_file = '${dir}/server.crt'\nssl_key_file = '${dir}/server.key'\n` : '';
  return `${ssl}
# Baton's test cluster
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '${dir}'
max_connections = 200
shared_buffers = 32MB
fsync = on
synchronous_commit = on
wal_level = minimal
max_wal_senders = 0
timezone = 'UTC'
log_min_messages = warning
log_min_error_statement = panic
`;
}

/**
 * A self-signed certificate for 127.0.0.1 and localhost, so that the tests can connect with TLS and check it
 * (sslmode=verify-full with it as sslrootcert). False when there is no openssl: the cluster runs without TLS.
 */
function makeCertificate(dir: string, runAs: RunAs | null): boolean {
  const key = path.join(dir, 'server.key');
  const crt = path.join(dir, 'server.crt');
  const made = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=localhost',
      '-keyout',
      key,
      '-out',
      crt,
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  if (made.error || made.status !== 0) return false;
  // PostgreSQL refuses a key that others can read.
  chmodSync(key, 0o600);
  if (runAs) {
    chownSync(key, runAs.uid, runAs.gid);
    chownSync(crt, runAs.uid, runAs.gid);
  }
  return true;
}

/** Stops and removes clusters left by test runs whose process is gone (killed before it could clean up). */
function removeStaleClusters(binaries: Binaries): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(tmpdir(), name);
    let owner: number;
    try {
      owner = Number(readFileSync(path.join(dir, 'owner'), 'utf8'));
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || isRunning(owner)) continue;
    const { uid, gid } = statSync(dir);
    stopSyncAt(binaries, dir, uid === process.getuid?.() ? null : { uid, gid });
    rmSync(dir, { recursive: true, force: true });
  }
}

function stopSyncAt(binaries: Binaries, dir: string, runAs: RunAs | null): void {
  if (!existsSync(path.join(dir, 'data', 'postmaster.pid'))) return;
  spawnSync(binaries.pgCtl, ['-D', path.join(dir, 'data'), '-m', 'immediate', '-w', 'stop'], {
    stdio: 'ignore',
    cwd: dir,
    env: clusterEnv(dir),
    ...(runAs ?? {}),
  });
}

function clusterEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, LC_ALL: 'C', LANG: 'C', TZ: 'UTC' };
}

/** Runs a PostgreSQL program; rejects with its output (and the server's log) when it fails. */
function run(command: string, args: string[], runAs: RunAs | null, dir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: dir,
      env: clusterEnv(dir),
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(runAs ?? {}),
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else {
        const log = serverLog(dir);
        reject(
          new Error(
            `${path.basename(command)} ${args.at(-1)} failed (${code}): ${output.trim()}${log ? `\n${log}` : ''}`,
          ),
        );
      }
    });
  });
}

function serverLog(dir: string): string {
  try {
    return readFileSync(path.join(dir, 'server.log'), 'utf8').trim().split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
