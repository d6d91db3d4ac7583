/**
 * The events on Baton's bus: small facts, a tagged union on `type`. Task and inbox facts come from the store's
 * change feed, so they tell of every change from any process; a consumer that needs the whole record reads it.
 */
import type { InboxItem } from '../model/inbox.js';
import type { TaskStatus } from '../model/task.js';

/** A task was created or changed; `seq` is the store's sequence number of that change. */
export interface TaskChangedEvent {
  type: 'task.changed';
  id: string;
  status: TaskStatus;
  seq: number;
}

/** An item landed in an agent's inbox (a task notification or a message; SPEC §6). */
export interface InboxAddedEvent {
  type: 'inbox.added';
  item: InboxItem;
}

/** A subagent run in this process took a step. */
export interface RunProgressEvent {
  type: 'run.progress';
  task_id: string;
  step: number;
  max_steps: number;
  message: string;
}

export type BatonEvent = TaskChangedEvent | InboxAddedEvent | RunProgressEvent;
export type BatonEventType = BatonEvent['type'];
export type EventOf<T extends BatonEventType> = Extract<BatonEvent, { type: T }>;
