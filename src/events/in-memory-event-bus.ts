/** The in-process event bus. */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { silentLogger } from '../log.js';
import type { EventBus, Listener } from './event-bus.js';
import type { BatonEvent, BatonEventType, EventOf } from './events.js';

export class InMemoryEventBus implements EventBus {
  private readonly listeners = new Map<BatonEventType, Set<Listener<BatonEvent>>>();

  constructor(private readonly log: Logger = silentLogger) {}

  publish(event: BatonEvent): void {
    const set = this.listeners.get(event.type);
    if (!set) return;
    // Copy: a listener may unsubscribe itself (or others) while we deliver.
    for (const listener of [...set]) {
      try {
        const outcome = listener(event);
        if (outcome instanceof Promise) outcome.catch((error: unknown) => this.report(event, error));
      } catch (error) {
        this.report(event, error);
      }
    }
  }

  subscribe<T extends BatonEventType>(type: T, listener: Listener<EventOf<T>>): () => void {
    let set = this.listeners.get(type);
    if (!set) this.listeners.set(type, (set = new Set()));
    const entry = listener as Listener<BatonEvent>;
    set.add(entry);
    return () => {
      set.delete(entry);
    };
  }

  private report(event: BatonEvent, error: unknown): void {
    this.log.error('event listener failed', { event: event.type, error: errorMessage(error) });
  }
}
