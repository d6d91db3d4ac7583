/**
 * Builds Baton's shared parts once: store, bus, task service, deadline timer, session registry.
 * Transports make one MCP server per connection over these parts.
 */
import type { Config } from './config.js';
import { InMemoryEventBus } from './events/in-memory-event-bus.js';
import type { EventBus } from './events/event-bus.js';
import type { Logger } from './log.js';
import type { ServerDeps } from './mcp/server.js';
import { SessionRegistry } from './mcp/session-registry.js';
import { LowdbTaskStore } from './store/lowdb-task-store.js';
import { DeadlineTimer } from './tasks/deadline-timer.js';
import { TaskService } from './tasks/task-service.js';

export interface Baton extends ServerDeps {
  bus: EventBus;
  store: LowdbTaskStore;
  /** Stops timers and flushes the store; every acknowledged change is already on disk. */
  close(): Promise<void>;
}

/** Opens the store (throwing `StoreError` if it is unreadable) and wires the parts together. */
export async function createBaton(config: Pick<Config, 'store' | 'defaultTimeout'>, log: Logger): Promise<Baton> {
  const bus = new InMemoryEventBus(log);
  const store = await LowdbTaskStore.open({ path: config.store, log });
  const tasks = new TaskService({ store, bus, defaultTimeoutSeconds: config.defaultTimeout });
  const sessions = new SessionRegistry(bus, log);
  const deadlines = new DeadlineTimer(tasks, bus, log);
  deadlines.start(); // overdue tasks from before a restart time out now (SPEC §5)
  return {
    bus,
    store,
    tasks,
    sessions,
    log,
    async close() {
      deadlines.stop();
      sessions.close();
      await store.close();
    },
  };
}
