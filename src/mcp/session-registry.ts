/**
 * The connected MCP sessions and who they act for. Delivers each inbox item live to every session of its
 * recipient as `notifications/message`, and `notifications/resources/updated` to subscribers of a task (SPEC §6).
 */
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { errorMessage } from '../errors.js';
import type { EventBus } from '../events/event-bus.js';
import type { Logger } from '../log.js';
import { taskUri } from './resources.js';

/** One connected client. */
export interface Session {
  readonly agentId: string;
  readonly server: McpServer;
  readonly subscriptions: Set<string>;
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
          this.send(session, () => session.server.sendLoggingMessage({ level: 'info', logger: 'baton', data: item }));
        }
      }),
      bus.subscribe('task.updated', ({ task }) => {
        const uri = taskUri(task.id);
        for (const session of this.sessions) {
          if (session.subscriptions.has(uri))
            this.send(session, () => session.server.server.sendResourceUpdated({ uri }));
        }
      }),
    ];
  }

  add(agentId: string, server: McpServer): Session {
    const session: Session = { agentId, server, subscriptions: new Set() };
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

  get size(): number {
    return this.sessions.size;
  }

  /** Stops delivering; the sessions themselves are closed by their transports. */
  close(): void {
    for (const unsubscribe of this.unsubscribes) unsubscribe();
  }

  private send(session: Session, fn: () => Promise<void>): void {
    if (!session.server.isConnected()) return;
    fn().catch((error: unknown) =>
      this.log.debug('could not notify session', { agent: session.agentId, error: errorMessage(error) }),
    );
  }
}
