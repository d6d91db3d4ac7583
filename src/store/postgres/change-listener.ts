/**
 * The change feed's ear (SPEC §9): one dedicated connection per process that LISTENs on the store's channel and
 * reports "something changed, up to seq N". A notification carries only that seq; whoever listens reads the
 * changes themselves from the tables (`seq > cursor`). Notifications can be lost (the connection drops, the
 * server restarts), so the listener also polls the head seq through the pool, and catches up after every
 * reconnect: a lost notification delays a change by at most one poll, never loses it. A heartbeat on the
 * connection finds one that died without telling (a cut network); it is replaced with backoff.
 */
import pg from 'pg';
import type { ClientConfig } from 'pg';
import { errorMessage } from '../../errors.js';
import type { Logger } from '../../log.js';
import { silentLogger } from '../../log.js';
import { CHANGE_CHANNEL } from './sequences.js';

export interface ChangeListenerOptions {
  /** The dedicated connection's configuration (`poolConfig(url).config`); it is not taken from the pool. */
  client: ClientConfig;
  /** The highest committed seq, read through the pool: the fallback poll, and the catch-up after a reconnect. */
  head: () => Promise<number>;
  /** Called with a higher seq each time: changes up to it are committed. Never throws into the listener. */
  onChange: (seq: number) => void;
  channel?: string;
  /** Fallback poll period. Default 1 s. */
  pollMs?: number;
  /** Heartbeat period on the dedicated connection; a heartbeat unanswered within it ends the connection. Default 10 s. */
  heartbeatMs?: number;
  /** Reconnect backoff: the first wait, doubled up to the last. Default 100 ms to 5 s. */
  backoffMs?: { first: number; max: number };
  log?: Logger;
}

export class PostgresChangeListener {
  private client: pg.Client | null = null;
  private seq = 0;
  private closed = false;
  private failures = 0;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private readonly pollTimer: NodeJS.Timeout;
  private polling = false;
  private readonly log: Logger;
  private readonly channel: string;

  private constructor(private readonly options: ChangeListenerOptions) {
    this.log = options.log ?? silentLogger;
    this.channel = options.channel ?? CHANGE_CHANNEL;
    this.pollTimer = setInterval(() => void this.poll(), options.pollMs ?? 1_000);
    this.pollTimer.unref();
  }

  /**
   * Connects and LISTENs, then reports the head as it is: changes up to it are what a subscriber replays. Rejects
   * when the first connection fails (start-up then stops with that error); later failures are retried.
   */
  static async start(options: ChangeListenerOptions): Promise<PostgresChangeListener> {
    const listener = new PostgresChangeListener(options);
    try {
      await listener.connect();
      await listener.poll();
    } catch (error) {
      await listener.close();
      throw error;
    }
    return listener;
  }

  /** The highest seq reported so far. */
  get reported(): number {
    return this.seq;
  }

  /** The server process of the dedicated connection, while connected (for tests and diagnostics). */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number | null } | null)?.processID ?? null;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.pollTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.stopHeartbeat();
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.options.client);
    // Before connect: an error on a connection that is being opened must not end the process.
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, null));
    client.on('notification', (message) => {
      if (message.channel !== this.channel) return;
      const seq = Number(message.payload);
      // A payload that is not a seq still says something changed: poll for the head.
      if (Number.isSafeInteger(seq)) this.report(seq);
      else void this.poll();
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${client.escapeIdentifier(this.channel)}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.startHeartbeat(client);
  }

  /** The dedicated connection failed or ended: replace it (once per connection). */
  private lost(client: pg.Client, error: Error | null): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.stopHeartbeat();
    client.removeAllListeners('notification');
    client.end().catch(() => undefined);
    this.log.warn('PostgreSQL change listener disconnected; reconnecting', {
      error: error ? errorMessage(error) : 'connection ended',
    });
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const { first, max } = this.options.backoffMs ?? { first: 100, max: 5_000 };
    const base = Math.min(max, first * 2 ** this.failures);
    // Jitter, so that every Baton on a restarted server does not reconnect in the same instant.
    const delay = base / 2 + Math.random() * (base / 2);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      void this.reconnect();
    }, delay);
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
      if (this.closed) return;
      this.log.info('PostgreSQL change listener reconnected');
      // Whatever was committed while nobody listened.
      await this.poll();
    } catch (error) {
      this.failures++;
      this.log.debug('PostgreSQL change listener could not reconnect', { error: errorMessage(error) });
      this.scheduleReconnect();
    }
  }

  private startHeartbeat(client: pg.Client): void {
    const period = this.options.heartbeatMs ?? 10_000;
    const beat = () => {
      let answered = false;
      const deadline = setTimeout(() => {
        if (!answered) this.lost(client, new Error(`no answer to the heartbeat within ${period} ms`));
      }, period);
      client
        .query('SELECT 1')
        .then(() => {
          answered = true;
          clearTimeout(deadline);
          if (this.client === client) this.heartbeatTimer = setTimeout(beat, period);
        })
        .catch((error: unknown) => {
          answered = true;
          clearTimeout(deadline);
          this.lost(client, error instanceof Error ? error : new Error(String(error)));
        });
    };
    this.heartbeatTimer = setTimeout(beat, period);
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  /** Reads the head and reports it if it moved. One poll at a time; a failed poll waits for the next. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed) return;
    this.polling = true;
    try {
      this.report(await this.options.head());
    } catch (error) {
      this.log.debug('PostgreSQL change poll failed', { error: errorMessage(error) });
    } finally {
      this.polling = false;
    }
  }

  private report(seq: number): void {
    if (seq <= this.seq || this.closed) return;
    this.seq = seq;
    try {
      this.options.onChange(seq);
    } catch (error) {
      this.log.error('store change listener failed', { error: errorMessage(error) });
    }
  }
}
