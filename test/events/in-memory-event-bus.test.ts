/** The bus isolates listeners (issue 7, item 17): one that throws or rejects never stops the others. */
import { describe, expect, it } from 'vitest';
import { InMemoryEventBus } from '../../src/events/in-memory-event-bus.js';
import type { BatonEvent } from '../../src/events/events.js';
import type { Logger } from '../../src/log.js';

function recordingLogger() {
  const errors: Array<{ message: string; fields?: Record<string, unknown> }> = [];
  const none = () => undefined;
  const logger: Logger = {
    debug: none,
    info: none,
    warn: none,
    error: (message, fields) => errors.push({ message, fields }),
  };
  return { logger, errors };
}

const event: BatonEvent = { type: 'run.progress', task_id: 't1', step: 1, max_steps: 8, message: 'step 1/8: thinking' };

describe('InMemoryEventBus', () => {
  it('delivers to every listener when one throws and another rejects, and logs both failures', async () => {
    const { logger, errors } = recordingLogger();
    const bus = new InMemoryEventBus(logger);
    const heard: string[] = [];
    bus.subscribe('run.progress', () => {
      throw new Error('a throwing listener');
    });
    bus.subscribe('run.progress', async () => {
      throw new Error('a rejecting listener');
    });
    bus.subscribe('run.progress', (e) => void heard.push(e.task_id));

    expect(() => bus.publish(event)).not.toThrow();
    expect(heard).toEqual(['t1']);
    await new Promise((r) => setImmediate(r));
    expect(errors).toEqual([
      { message: 'event listener failed', fields: { event: 'run.progress', error: 'a throwing listener' } },
      { message: 'event listener failed', fields: { event: 'run.progress', error: 'a rejecting listener' } },
    ]);
  });

  it('lets a listener unsubscribe itself while the event is delivered', () => {
    const bus = new InMemoryEventBus();
    const heard: string[] = [];
    const off = bus.subscribe('run.progress', () => {
      heard.push('first');
      off();
    });
    bus.subscribe('run.progress', () => void heard.push('second'));
    bus.publish(event);
    bus.publish(event);
    expect(heard).toEqual(['first', 'second', 'second']);
  });
});
