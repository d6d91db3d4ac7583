/**
 * The board over HTTP (board contract, "HTTP endpoints"): `GET /board/api/session`, a snapshot from
 * `GET /board/api/tasks`, then `GET /board/api/events` read as a stream, resumed after every break with
 * `Last-Event-ID: <the last seq applied>` so that nothing is lost or repeated. Tokens go in the Authorization
 * header only; actions are JSON POSTs with the `X-Baton-Board: 1` header (CSRF).
 */
import { backoffDelay, DEFAULT_BACKOFF, pause } from './backoff.js';
import type { BackoffOptions } from './backoff.js';
import { errorText } from './board-source.js';
import type { ActionOutcome, BoardSource, MessageInput, SourceListener, Viewer } from './board-source.js';
import { readEventStream } from './event-stream.js';
import type { EventSourceMessage } from './event-stream.js';
import { TokenStore } from './token-store.js';

export const API = {
  session: '/board/api/session',
  tasks: '/board/api/tasks',
  events: '/board/api/events',
  cancel: (taskId: string) => `/board/api/tasks/${encodeURIComponent(taskId)}/cancel`,
  messages: '/board/api/messages',
} as const;

/** The header the server requires on every action (with `Content-Type: application/json`): CSRF. */
export const CSRF_HEADER = 'X-Baton-Board';

export interface HttpSourceOptions {
  /** Root trees asked for in a snapshot. */
  limit?: number;
  backoff?: BackoffOptions;
  /** Three missed keep-alives (15 s each) mean the stream is gone. */
  idleMs?: number;
  tokens?: TokenStore;
}

/** A 401: the token is missing or refused. */
class Unauthorized extends Error {}

export class HttpSource implements BoardSource {
  readonly mode = 'http';
  private listener: SourceListener | null = null;
  private run: AbortController | null = null;
  private readonly tokens: TokenStore;
  private readonly limit: number;
  private readonly backoff: BackoffOptions;
  private readonly idleMs: number;

  constructor(options: HttpSourceOptions = {}) {
    this.tokens = options.tokens ?? new TokenStore();
    this.limit = options.limit ?? 100;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.idleMs = options.idleMs ?? 45_000;
  }

  start(listener: SourceListener): void {
    this.listener = listener;
    this.restart();
  }

  stop(): void {
    this.run?.abort();
    this.run = null;
  }

  signIn(token: string): void {
    this.tokens.set(token.trim());
    this.restart();
  }

  signOut(): void {
    this.tokens.clear();
    this.stop();
    this.listener?.connection({ state: 'needs-token', refused: false });
  }

  async cancel(taskId: string, reason?: string): Promise<ActionOutcome> {
    const body = reason ? { reason } : {};
    return this.post(API.cancel(taskId), body, (answer) =>
      typeof answer.message === 'string' ? answer.message : 'Cancelled.',
    );
  }

  async sendMessage(input: MessageInput): Promise<ActionOutcome> {
    return this.post(
      API.messages,
      input,
      (answer) => `Message sent to ${String(answer.delivered_to ?? input.to_agent_id)}.`,
    );
  }

  private restart(): void {
    this.stop();
    const run = new AbortController();
    this.run = run;
    void this.loop(run.signal);
  }

  /** Connect, snapshot, stream; after any break wait (backoff) and resume from the last seq. */
  private async loop(signal: AbortSignal): Promise<void> {
    const listener = this.listener;
    if (!listener) return;
    let seq: number | null = null;
    let attempt = 0;
    let baseMs = this.backoff.baseMs;
    let viewerKnown = false;
    while (!signal.aborted) {
      try {
        listener.connection({ state: 'connecting' });
        if (!viewerKnown) {
          listener.viewer(await this.session(signal));
          viewerKnown = true;
        }
        if (seq === null) {
          const snapshot = await this.getJson(`${API.tasks}?limit=${this.limit}`, signal);
          seq = typeof snapshot.seq === 'number' ? snapshot.seq : 0;
          listener.snapshot(seq, Array.isArray(snapshot.tasks) ? snapshot.tasks : []);
        }
        const response = await this.request(API.events, signal, {
          Accept: 'text/event-stream',
          'Last-Event-ID': String(seq),
        });
        if (!response.body) throw new Error('the event stream has no body');
        listener.connection({ state: 'live' });
        attempt = 0;
        await readEventStream(response.body, {
          idleMs: this.idleMs,
          onRetry: (ms) => (baseMs = Math.max(250, ms)),
          onEvent: (message) => {
            const applied = this.apply(message, listener);
            if (applied === 'reset') seq = null;
            else if (applied !== null) seq = applied;
          },
        });
        if (signal.aborted) return;
        throw new Error('the server closed the event stream');
      } catch (error) {
        if (signal.aborted) return;
        if (error instanceof Unauthorized) {
          const refused = this.tokens.get() !== null;
          this.tokens.clear();
          listener.connection({ state: 'needs-token', refused });
          return;
        }
        const inMs = backoffDelay(attempt++, { ...this.backoff, baseMs });
        listener.connection({ state: 'retrying', inMs, reason: errorText(error) });
        await pause(inMs, signal, globalThis.window);
      }
    }
  }

  /** Applies one stream event; returns its seq, 'reset' (the server asks for a new snapshot) or null. */
  private apply(message: EventSourceMessage, listener: SourceListener): number | 'reset' | null {
    if (message.event === 'reset') return 'reset';
    if (message.event !== 'task') return null;
    const seq = message.id !== undefined && message.id !== '' ? Number(message.id) : NaN;
    let task: unknown;
    try {
      task = JSON.parse(message.data);
    } catch {
      return null;
    }
    listener.changes(Number.isFinite(seq) ? seq : null, [task]);
    return Number.isFinite(seq) ? seq : null;
  }

  private async session(signal: AbortSignal): Promise<Viewer> {
    const sentAt = Date.now();
    const answer = await this.getJson(API.session, signal);
    const serverNow = typeof answer.now === 'string' ? Date.parse(answer.now) : NaN;
    return {
      id: typeof answer.viewer === 'string' ? answer.viewer : '',
      admin: answer.admin === true,
      auth: answer.auth === 'token' ? 'token' : 'none',
      version: typeof answer.version === 'string' ? answer.version : null,
      // Half the round trip is the best guess of when the server read its clock.
      clockOffsetMs: Number.isNaN(serverNow) ? 0 : serverNow - (sentAt + Date.now()) / 2,
    };
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const token = this.tokens.get();
    return token ? { ...extra, Authorization: `Bearer ${token}` } : extra;
  }

  private async request(url: string, signal: AbortSignal, headers?: Record<string, string>): Promise<Response> {
    const response = await fetch(url, { headers: this.headers(headers), signal, cache: 'no-store', redirect: 'error' });
    if (response.status === 401) throw new Unauthorized();
    if (!response.ok) throw new Error(await failure(response));
    return response;
  }

  private async getJson(url: string, signal: AbortSignal): Promise<Record<string, unknown>> {
    const response = await this.request(url, signal, { Accept: 'application/json' });
    const body: unknown = await response.json();
    return typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  }

  private async post(
    url: string,
    body: unknown,
    describe: (answer: Record<string, unknown>) => string,
  ): Promise<ActionOutcome> {
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: this.headers({ 'Content-Type': 'application/json', Accept: 'application/json', [CSRF_HEADER]: '1' }),
        body: JSON.stringify(body),
        cache: 'no-store',
        redirect: 'error',
      });
      if (response.status === 401) {
        const refused = this.tokens.get() !== null;
        this.tokens.clear();
        this.stop();
        this.listener?.connection({ state: 'needs-token', refused });
        return { ok: false, message: 'Your token was not accepted; enter it again.' };
      }
      if (!response.ok) return { ok: false, message: await failure(response) };
      const answer: unknown = await response.json().catch(() => ({}));
      return {
        ok: true,
        message: describe(typeof answer === 'object' && answer ? (answer as Record<string, unknown>) : {}),
      };
    } catch (error) {
      return { ok: false, message: `Could not reach the server: ${errorText(error)}` };
    }
  }
}

/** "404: task not found": the server's `{error}` when the body has one. */
async function failure(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body && typeof (body as { error?: unknown }).error === 'string') {
      return (body as { error: string }).error;
    }
  } catch {
    // Not JSON: the status says enough.
  }
  return `${response.status} ${response.statusText || 'error'}`.trim();
}
