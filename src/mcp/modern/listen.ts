/**
 * `subscriptions/listen` (MCP 2026-07-28): one long-lived request per stream, fed by the bus (the facts of every
 * process on the store, so a listener on any Baton server hears a task another one runs). It acknowledges what it
 * will send, then sends only that, each notification tagged with the listen request's id:
 * `notifications/tasks` for `taskIds` (the Tasks extension), `notifications/resources/updated` for subscribed
 * `baton://tasks/{id}` URIs, and the list-changed notifications after an agent folder changed (hot reload).
 */
import { taskUri } from '../task-uri.js';
import type { ServerDeps } from '../server.js';
import { ERROR, META, RpcError, isObject, requireTasks } from './protocol.js';
import type { Envelope, JsonObject, RequestId } from './protocol.js';
import { toDetailedTask } from './tasks.js';

export interface Listener {
  caller: string;
  id: RequestId;
  envelope: Envelope;
  /** Sends a notification on the stream. */
  notify(method: string, params: JsonObject): void;
  /** Ends the stream: the client went away, or the server is shutting down. */
  signal: AbortSignal;
}

const LIST_FLAGS = ['toolsListChanged', 'promptsListChanged', 'resourcesListChanged'] as const;

export async function listen(deps: ServerDeps, params: JsonObject, listener: Listener): Promise<JsonObject> {
  const wanted = isObject(params.notifications) ? params.notifications : {};
  const tag = { [META.subscriptionId]: listener.id };
  const ack: JsonObject = {};
  for (const flag of LIST_FLAGS) if (wanted[flag] === true) ack[flag] = true;
  const uris = new Set(strings(wanted.resourceSubscriptions, 'resourceSubscriptions'));
  if (wanted.resourceSubscriptions !== undefined) ack.resourceSubscriptions = [...uris];
  const taskIds = new Set<string>();
  if (wanted.taskIds !== undefined) {
    requireTasks(listener.envelope);
    // Only tasks the caller is a party to: the others are left out of the acknowledgement.
    for (const id of strings(wanted.taskIds, 'taskIds')) {
      if (
        await deps.tasks.get(listener.caller, { task_id: id }).then(
          () => true,
          () => false,
        )
      )
        taskIds.add(id);
    }
    ack.taskIds = [...taskIds];
  }
  if (listener.signal.aborted) return { _meta: tag };
  listener.notify('notifications/subscriptions/acknowledged', { notifications: ack, _meta: tag });

  const send = (method: string, body: JsonObject = {}) => listener.notify(method, { ...body, _meta: tag });
  const unsubscribes = [
    deps.bus.subscribe('task.changed', ({ id }) => {
      if (uris.has(taskUri(id))) send('notifications/resources/updated', { uri: taskUri(id) });
      if (!taskIds.has(id)) return;
      void deps.tasks.get(listener.caller, { task_id: id }).then(
        ({ task }) => send('notifications/tasks', toDetailedTask(task)),
        () => undefined,
      );
    }),
    deps.agents.onChange(() => {
      if (ack.toolsListChanged) send('notifications/tools/list_changed');
      if (ack.resourcesListChanged) send('notifications/resources/list_changed');
    }),
  ];
  try {
    await new Promise<void>((resolve) => {
      if (listener.signal.aborted) resolve();
      listener.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  } finally {
    for (const unsubscribe of unsubscribes) unsubscribe();
  }
  // The graceful end of a stream: the listen request's own answer.
  return { _meta: tag };
}

function strings(value: unknown, field: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new RpcError(ERROR.invalidParams, `Invalid params: notifications.${field} must be an array of strings`);
  }
  return value as string[];
}
