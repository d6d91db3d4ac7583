/**
 * `notifications/progress` for a tool call that waits (SPEC §4): each step as it comes, and a heartbeat repeating
 * the latest one at least every HEARTBEAT_MS, so that clients with a 60 s request timeout keep waiting. Nothing is
 * sent without a progress token.
 */
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';

/** SPEC §4: progress at each step and at least this often. */
export const HEARTBEAT_MS = 10_000;

export interface Progress {
  send(message: string): void;
  stop(): void;
}

export function progressOf(
  extra: RequestHandlerExtra<ServerRequest, ServerNotification>,
  /** `heartbeat`: a fixed text for the heartbeat instead of the latest step; `silent`: send nothing. */
  options: { heartbeat?: string; silent?: boolean } = {},
): Progress {
  const progressToken = extra._meta?.progressToken;
  let count = 0;
  let last = 'started';
  const notify = (message: string) => {
    if (progressToken === undefined || options.silent) return;
    void extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken, progress: ++count, message } })
      .catch(() => undefined);
  };
  // The heartbeat repeats the latest step; it is not a step itself, so its text never grows.
  const heartbeat = setInterval(() => notify(options.heartbeat ?? `${last} (still working)`), HEARTBEAT_MS);
  heartbeat.unref();
  return {
    send(message) {
      notify((last = message));
    },
    stop: () => clearInterval(heartbeat),
  };
}
