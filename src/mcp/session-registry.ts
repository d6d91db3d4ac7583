/**
 * The connected MCP sessions and who they act for. Delivers each inbox item live to every session of its
 * recipient as `notifications/message`, and `notifications/resources/updated` to subscribers of a task (SPEC §6).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import type { InboxItem } from '../model/inbox.js';
import { fileURLToPath } from 'node:url';
import type { CreateMessage } from '../providers/sampling.js';
import type { RootsSource } from '../runtime/run-workspaces.js';
import { taskUri } from './task-uri.js';

/** One connected client. */
export interface Session {
  readonly agentId: string;
  readonly server: McpServer;
  readonly subscriptions: Set<string>;
  /**
   * Tasks whose end this session is being told in a tool call's response (a plain `subagent_dispatch` waiting for
   * its task): their ending notifications stay in the inbox but are not pushed to this session as well.
   */
  readonly answering: Set<string>;
}

/** The notifications to a delegator that a waiting `subagent_dispatch` answers with its result. */
const ENDINGS: ReadonlySet<InboxItem['event']> = new Set([
  'task.notification.completed',
  'task.notification.failed',
  'task.notification.timeout',
]);

/** Whether `item` tells `session` of a task's end that the session is receiving in a response anyway. */
function answered(session: Session, item: InboxItem): boolean {
  return item.task_id !== null && ENDINGS.has(item.event) && session.answering.has(item.task_id);
}

export class SessionRegistry {
  private readonly sessions = new Set<Session>();
  private readonly unsubscribes: Array<() => void>;

  constructor(
    bus: EventBus,
    private readonly log: Logger,
  ) {
    this.unsubscribes = [
      bus.subscribe('inbox.added', ({ item }) => {
        for (const session of this.of(item.recipient)) {
          if (answered(session, item)) continue;
          this.send(session, () => session.server.sendLoggingMessage({ level: 'info', logger: 'baton', data: item }));
        }
      }),
      bus.subscribe('task.changed', ({ id }) => {
        const uri = taskUri(id);
        for (const session of this.sessions) {
          if (session.subscriptions.has(uri))
            this.send(session, () => session.server.server.sendResourceUpdated({ uri }));
        }
      }),
    ];
  }

  add(agentId: string, server: McpServer): Session {
    const session: Session = { agentId, server, subscriptions: new Set(), answering: new Set() };
    this.sessions.add(session);
    return session;
  }

  remove(session: Session): void {
    this.sessions.delete(session);
  }

  /** Sessions acting for `agentId`. */
  of(agentId: string): Session[] {
    return [...this.sessions].filter((s) => s.agentId === agentId);
  }

  /** `sampling/createMessage` on a connected client of `agentId` that declared the sampling capability. */
  samplerFor(agentId: string): CreateMessage | undefined {
    const session = this.of(agentId).find((s) => s.server.server.getClientCapabilities()?.sampling);
    return session ? samplerOf(session.server) : undefined;
  }

  /** `roots/list` on a connected client of `agentId` that declared the roots capability. */
  rootsFor(agentId: string): RootsSource | undefined {
    const session = this.of(agentId).find((s) => s.server.server.getClientCapabilities()?.roots);
    return session ? rootsOf(session.server) : undefined;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** Stops delivering; the sessions themselves are closed by their transports. */
  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private send(session: Session, fn: () => Promise<void>): void {
    // Not before initialize: on stdio a 2026-07-28 client shares the stream with a 2025 session that never starts.
    if (!session.server.isConnected() || !session.server.server.getClientVersion()) return;
    fn().catch((error: unknown) =>
      this.log.debug('could not notify session', { agent: session.agentId, error: errorMessage(error) }),
    );
  }
}

/** The client's `sampling/createMessage` as the sampling provider calls it. */
export function samplerOf(server: McpServer): CreateMessage {
  return async (params, signal) =>
    // The run's own deadline bounds a sampling call (through `signal`), not the SDK's 60 s request default.
    server.server.createMessage(params, { ...(signal ? { signal } : {}), timeout: 24 * 3600 * 1000 });
}

/** The client's `roots/list` as folder paths: `file://` roots only (MCP: roots are file URIs for now). */
export function rootsOf(server: McpServer): RootsSource {
  return async () => {
    const { roots } = await server.server.listRoots(undefined, { timeout: 10_000 });
    return roots.flatMap((root) => (root.uri.startsWith('file://') ? [fileURLToPath(root.uri)] : []));
  };
}
