import { describe, expect, it } from 'vitest';
import { readEventStream, StreamIdleError } from '../../../../src/board/ui/source/event-stream.js';
import type { EventSourceMessage } from '../../../../src/board/ui/source/event-stream.js';

/** A byte stream that yields `chunks`, then stays open (`hold`) or ends. */
function bytes(chunks: string[], hold = false): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      if (!hold) controller.close();
    },
  });
}

describe('readEventStream', () => {
  it('parses events split anywhere across chunks, and reports the server’s retry', async () => {
    const events: EventSourceMessage[] = [];
    const retries: number[] = [];
    const task = JSON.stringify({ id: 'a', description: 'line\nbreak in JSON is escaped' });
    await readEventStream(
      bytes([
        'retry: 250\n\nid: 4',
        `1\nevent: task\ndata: ${task.slice(0, 9)}`,
        `${task.slice(9)}\n`,
        '\n: keep-alive\n\n',
      ]),
      {
        idleMs: 5000,
        onEvent: (event) => events.push(event),
        onRetry: (ms) => retries.push(ms),
      },
    );
    expect(events).toEqual([{ id: '41', event: 'task', data: task }]);
    expect(retries).toEqual([250]);
  });

  it('gives up on a stream that went quiet, while keep-alive comments keep it open', async () => {
    const quiet = readEventStream(bytes(['id: 1\nevent: task\ndata: {}\n\n'], true), {
      idleMs: 200,
      onEvent: () => undefined,
    });
    await expect(quiet).rejects.toBeInstanceOf(StreamIdleError);

    const encoder = new TextEncoder();
    let beats = 0;
    const alive = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (++beats > 5) return controller.close();
        controller.enqueue(encoder.encode(': keep-alive\n\n'));
      },
    });
    await expect(readEventStream(alive, { idleMs: 1000, onEvent: () => undefined })).resolves.toBeUndefined();
  });
});
