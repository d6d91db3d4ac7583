/**
 * The open HTTP sessions, Streamable HTTP and legacy SSE alike (SPEC §10: open sessions per token bounded and
 * idle ones closed). Each agent (a token's agent, or `--as` without tokens) may hold at most `maxPerAgent`; a
 * session with no request in flight and no open stream for `idleMs` is closed, and its id then answers 404, on
 * which an MCP client starts a new session.
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Response } from 'express';
import type { Logger } from '../log.js';

/** One open session, whatever its transport. */
export interface HttpSession {
  readonly kind: 'streamable' | 'legacy';
  readonly agentId: string;
  readonly server: McpServer;
  close(): Promise<void>;
}

interface Entry {
  session: HttpSession;
  /** Requests in flight and open streams. */
  busy: number;
  lastActive: number;
}

export interface HttpSessionsOptions {
  maxPerAgent: number;
  idleMs: number;
  log: Logger;
  now?: () => number;
}

export class HttpSessions {
  private readonly entries = new Map<string, Entry>();
  /** Sessions being initialised, counted against the bound before they have an id. */
  private readonly opening = new Map<string, number>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly options: HttpSessionsOptions) {
    this.now = options.now ?? Date.now;
    this.sweeper = setInterval(() => this.closeIdle(), Math.max(10, Math.min(options.idleMs / 4, 30_000)));
    this.sweeper.unref();
  }

  get size(): number {
    return this.entries.size;
  }

  /** The session with this id, of this kind, acting for this agent; another agent's session is not found. */
  get(id: string, kind: HttpSession['kind'], agentId: string): HttpSession | undefined {
    const entry = this.entries.get(id);
    return entry && entry.session.kind === kind && entry.session.agentId === agentId ? entry.session : undefined;
  }

  /**
   * Reserves room for a new session of `agentId`: null when it is at its bound (the caller answers 429), else a
   * function to call once the session is added (or failed to open).
   */
  reserve(agentId: string): (() => void) | null {
    let open = this.opening.get(agentId) ?? 0;
    for (const { session } of this.entries.values()) if (session.agentId === agentId) open++;
    if (open >= this.options.maxPerAgent) return null;
    this.opening.set(agentId, (this.opening.get(agentId) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.opening.get(agentId) ?? 1) - 1;
      if (left > 0) this.opening.set(agentId, left);
      else this.opening.delete(agentId);
    };
  }

  add(id: string, session: HttpSession): void {
    this.entries.set(id, { session, busy: 0, lastActive: this.now() });
  }

  delete(id: string): void {
    this.entries.delete(id);
  }

  /** Counts the session as busy until `res` is finished or closed (a stream stays busy while it is open). */
  track(id: string, res: Response): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    entry.busy++;
    entry.lastActive = this.now();
    res.once('close', () => {
      entry.busy--;
      entry.lastActive = this.now();
    });
  }

  /** The bound as the 429 answer states it. */
  limitMessage(agentId: string): string {
    return (
      `Too Many Requests: ${agentId} already has ${this.options.maxPerAgent} open ` +
      `session${this.options.maxPerAgent === 1 ? '' : 's'} (--max-sessions); ` +
      `end one with DELETE /mcp, or wait: sessions idle for ${this.options.idleMs / 1000} s close (--session-idle-timeout)`
    );
  }

  /** Closes every session and stops sweeping. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    const sessions = [...this.entries.values()].map((e) => e.session);
    this.entries.clear();
    for (const session of sessions) {
      await session.close().catch(() => undefined);
      await session.server.close().catch(() => undefined);
    }
  }

  private closeIdle(): void {
    const cutoff = this.now() - this.options.idleMs;
    for (const [id, entry] of this.entries) {
      if (entry.busy > 0 || entry.lastActive > cutoff) continue;
      this.entries.delete(id);
      this.options.log.info('closed an idle session', { agent: entry.session.agentId, kind: entry.session.kind });
      void entry.session.close().catch(() => undefined);
    }
  }
}
