/**
 * An MCP session answers only once what the answer tells is on disk (SPEC §9: every acknowledged change is on
 * disk). The file store applies a batch in memory before its fsync, and readers in this process see it meanwhile:
 * - every answer waits until the store has made durable all it had applied when the answer was sent
 *   (`TaskStore.whenDurable`), so nobody hears of a change that is not on disk;
 * - an answer built from a write still under way waits for that write too (`hold`): a dispatch builds its answer
 *   while its last fsync runs (`DispatchOptions.early`) and holds it on that write, so that an fsync that fails is
 *   never answered as a success, however the failure and the answer interleave.
 *
 * Only answers wait. A notification, or a request of ours (sampling, roots), goes at once unless an answer waits
 * before it: the messages keep their order. If what an answer waits for fails (memory was ahead of disk and is read
 * again), it is never sent as it was: an error (-32603) naming the failure goes in its place.
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { ErrorCode } from '@modelcontextprotocol/sdk/types.js';
import type { JSONRPCMessage, RequestId } from '@modelcontextprotocol/sdk/types.js';
import { errorMessage } from '../errors.js';

/** Holds the answer to request `id` until `until` settles (and refuses it if `until` rejects). */
export type HoldAnswer = (id: RequestId, until: Promise<unknown>) => void;

/** Wraps `transport.send`: `whenDurable` is the store's (`TaskStore.whenDurable`), null when nothing waits. */
export function holdAnswersUntilDurable(transport: Transport, whenDurable: () => Promise<void> | null): HoldAnswer {
  const send = transport.send.bind(transport);
  const holds = new Map<RequestId, Promise<unknown>>();
  /** The turn of the last message held (an answer waiting, or a message queued behind one); null when none is. */
  let last: Promise<void> | null = null;
  transport.send = (message, options) => {
    const answer = isAnswer(message) ? message : null;
    const wait = answer ? waitFor(answer.id, whenDurable(), holds) : null;
    if (wait === null && last === null) return send(message, options);
    const turn = (last ?? Promise.resolve())
      .then(() => wait)
      .then(
        () => send(message, options),
        (error: unknown) => send(answer ? refusal(answer, error) : message, options),
      );
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    last = settled;
    void settled.then(() => {
      if (last === settled) last = null;
    });
    return turn;
  };
  return (id, until) => {
    until.catch(() => undefined); // heard when the answer is sent
    holds.set(id, until);
  };
}

/** What an answer waits for: the store's durability and its own hold, or null for nothing. */
function waitFor(id: RequestId, durable: Promise<void> | null, holds: Map<RequestId, Promise<unknown>>) {
  const held = holds.get(id);
  if (held === undefined) return durable;
  holds.delete(id);
  return durable === null ? held : Promise.all([durable, held]);
}

function isAnswer(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId } {
  return 'id' in message && ('result' in message || 'error' in message);
}

function refusal(message: JSONRPCMessage & { id: RequestId }, error: unknown): JSONRPCMessage {
  return {
    jsonrpc: '2.0',
    id: message.id,
    error: { code: ErrorCode.InternalError, message: `not answered: ${errorMessage(error)}` },
  };
}
