/**
 * The events Baton publishes on its bus: a tagged union on `type`.
 * Task and inbox events are published for every change the store applies, from this process or another one.
 */
import type { InboxItem, Task, TaskStatus } from '../store/records.js';

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

/** A subagent task is ready to run: a worker picks it up (the seed's dispatch event). */
export interface DispatchRequestedEvent {
  type: 'dispatch.requested';
  task_id: string;
  session_id: string;
}

/** A running subagent took a step. */
export interface DispatchProgressEvent {
  type: 'dispatch.progress';
  task_id: string;
  session_id: string;
  step: number;
  max_steps: number;
  message: string;
}

/** A subagent run ended; the dispatcher waiting on `session_id` takes it (the seed's result event). */
export interface DispatchResultEvent {
  type: 'dispatch.result';
  task_id: string;
  session_id: string;
  status: TaskStatus;
  result?: string;
  error?: string;
}

export type BatonEvent =
  TaskUpdatedEvent | InboxAddedEvent | DispatchRequestedEvent | DispatchProgressEvent | DispatchResultEvent;
export type BatonEventType = BatonEvent['type'];
export type EventOf<T extends BatonEventType> = Extract<BatonEvent, { type: T }>;
