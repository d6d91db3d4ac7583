/**
 * Holds a connection's requests that need the store until it is open (issue 15: start-up does not grow with the
 * store). `initialize`, `ping`, `tools/list`, `prompts/list` and `logging/setLevel` need none and are answered at
 * once, while a large store still loads, and so are the client's answers to our requests. Every other message
 * (tool calls, resources, tasks, cancellations, other notifications) waits and is delivered once the store is
 * open, in the order it came: a cancellation stays after its request.
 *
 * When the store turns out unreadable, each held request, and any later one that needs the store, is answered
 * with that error (-32603, the store's one-line message); `baton serve` then stops with the same line on stderr
 * and exit code as before (docs/architecture.md, "Start-up").
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../errors.js';

/** The methods answered before the store is open. */
export const ANSWERED_WHILE_LOADING: ReadonlySet<string> = new Set([
  'initialize',
  'notifications/initialized',
  'ping',
  'tools/list',
  'prompts/list',
  'logging/setLevel',
]);

type Deliver = NonNullable<Transport['onmessage']>;

/** Wraps `transport.onmessage` (set by the SDK's connect, and maybe by other guards) with the gate. */
export function holdUntilReady(transport: Transport, ready: Promise<void>): void {
  const deliver = transport.onmessage;
  if (!deliver) return;
  let held: Array<Parameters<Deliver>> | null = [];
  let failure: string | null = null;
  const refuse = (message: JSONRPCMessage) => {
    const id = (message as { id?: unknown }).id;
    if (typeof id !== 'string' && typeof id !== 'number') return; // a notification: no answer
    const reply: JSONRPCMessage = { jsonrpc: '2.0', id, error: { code: ErrorCode.InternalError, message: failure! } };
    transport.send(reply).catch(() => undefined);
  };
  ready.then(
    () => {
      const queue = held ?? [];
      held = null;
      for (const args of queue) deliver(...args);
    },
    (error: unknown) => {
      failure = errorMessage(error);
      const queue = held ?? [];
      held = null;
      for (const [message] of queue) refuse(message);
    },
  );
  transport.onmessage = (message, extra) => {
    const method = (message as { method?: unknown }).method;
    // A response (to a request of ours: sampling, roots) has no method and never waits.
    const early = typeof method !== 'string' || ANSWERED_WHILE_LOADING.has(method);
    if (early) deliver(message, extra);
    else if (held !== null) held.push([message, extra]);
    else if (failure !== null) refuse(message);
    else deliver(message, extra);
  };
}
