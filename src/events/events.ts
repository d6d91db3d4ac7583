/**
 * The events Baton publishes on its bus: a tagged union on `type`.
 * Task and inbox events are published for every change the store applies, from this process or another one.
 */
import type { InboxItem, Task } from '../store/records.js';

/** A task was created or changed. `origin` tells whether this process made the change. */
export interface TaskUpdatedEvent {
  type: 'task.updated';
  task: Task;
  origin: 'local' | 'remote';
}

/** An item landed in an agent's inbox (a task notification or a message; SPEC §6). */
export interface InboxAddedEvent {
  type: 'inbox.added';
  item: InboxItem;
  origin: 'local' | 'remote';
}

export type BatonEvent = TaskUpdatedEvent | InboxAddedEvent;
export type BatonEventType = BatonEvent['type'];
export type EventOf<T extends BatonEventType> = Extract<BatonEvent, { type: T }>;
