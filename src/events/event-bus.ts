/**
 * The event bus interface, so that a networked bus could stand in for the in-process one later.
 */
import type { BatonEvent, BatonEventType, EventOf } from './events.js';

export type Listener<E> = (event: E) => void | Promise<void>;

export interface EventBus {
  /** Delivers `event` to every listener of its type; a failing listener never stops the others. */
  publish(event: BatonEvent): void;
  /** Listens to one event type; returns the unsubscribe function. */
  subscribe<T extends BatonEventType>(type: T, listener: Listener<EventOf<T>>): () => void;
}
