/**
 * Reads a server-sent-event stream from a fetch() response (EventSource cannot send an Authorization header):
 * eventsource-parser does the SSE framing; this adds an idle timeout, so a connection that went quiet without
 * closing (a dead TCP path) is noticed: the server sends a `: keep-alive` comment every 15 s.
 */
import { EventSourceParserStream } from 'eventsource-parser/stream';
import type { EventSourceMessage } from 'eventsource-parser/stream';

export type { EventSourceMessage };

export interface StreamOptions {
  onEvent(message: EventSourceMessage): void;
  /** The server's `retry:` field: its wish for the reconnect delay. */
  onRetry?(ms: number): void;
  /** Nothing at all for this long (not even a comment) ends the read as lost. */
  idleMs: number;
}

/** One task can carry a 1 MiB result and a 1 MiB payload (SPEC §10), escaped: room for that, not unbounded. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

export class StreamIdleError extends Error {
  constructor(idleMs: number) {
    super(`no data from the server for ${Math.round(idleMs / 1000)} s`);
  }
}

/** Resolves when the server ends the stream; rejects when it breaks or goes idle. */
export async function readEventStream(body: ReadableStream<Uint8Array>, options: StreamOptions): Promise<void> {
  let idle: ReturnType<typeof setTimeout> | undefined;
  let idleError: StreamIdleError | null = null;
  const reader = body
    // The DOM typings give TextDecoderStream a BufferSource input; a fetch body is bytes, which it takes.
    .pipeThrough(new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>)
    .pipeThrough(
      new EventSourceParserStream({
        onRetry: options.onRetry,
        onComment: () => touch(),
        maxBufferSize: MAX_EVENT_CHARS,
      }),
    )
    .getReader();
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => {
      idleError = new StreamIdleError(options.idleMs);
      void reader.cancel(idleError).catch(() => undefined);
    }, options.idleMs);
  };
  touch();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (idleError) throw idleError;
      if (done) return;
      touch();
      options.onEvent(value);
    }
  } finally {
    clearTimeout(idle);
    reader.releaseLock();
  }
}
