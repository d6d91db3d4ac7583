/**
 * An MCP session's answers wait for the store's durability and for their own holds (`mcp/durable-answers.ts`);
 * notifications pass unless an answer waits before them, and the order of the messages is kept.
 */
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { describe, expect, it } from 'vitest';
import { holdAnswersUntilDurable } from '../../src/mcp/durable-answers.js';

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

async function pair(whenDurable: () => Promise<void> | null) {
  const [server, client] = InMemoryTransport.createLinkedPair();
  const received: JSONRPCMessage[] = [];
  client.onmessage = (message) => received.push(message);
  await client.start();
  await server.start();
  const hold = holdAnswersUntilDurable(server, whenDurable);
  return { server, received, hold };
}

const answer = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result: { n: id } });
const note = (n: number): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { n } });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('answers held until durable', () => {
  it('sends everything at once while nothing waits', async () => {
    const { server, received } = await pair(() => null);
    await server.send(note(1));
    await server.send(answer(2));
    expect(received).toEqual([note(1), answer(2)]);
  });

  it('holds an answer until the store is durable, and what comes after it behind it', async () => {
    let durable: ReturnType<typeof deferred> | null = deferred();
    const { server, received } = await pair(() => durable?.promise ?? null);
    const sends = [server.send(note(1)), server.send(answer(2)), server.send(note(3))];
    await settle();
    expect(received).toEqual([note(1)]); // a notification with nothing before it is not held
    const pending = durable;
    durable = null;
    pending.resolve();
    await Promise.all(sends);
    expect(received).toEqual([note(1), answer(2), note(3)]);
    await server.send(note(4)); // nothing waits any more: at once
    expect(received.at(-1)).toEqual(note(4));
  });

  it('holds one answer on its own write, and refuses it, naming the failure, when that write fails', async () => {
    const { server, received, hold } = await pair(() => null);
    const write = deferred();
    hold(7, write.promise);
    const sent = server.send(answer(7));
    const other = server.send(answer(8)); // another request's answer, queued behind
    await settle();
    expect(received).toEqual([]);
    write.reject(new Error('could not write the store: EIO'));
    await Promise.all([sent, other]);
    expect(received).toEqual([
      { jsonrpc: '2.0', id: 7, error: { code: -32603, message: 'not answered: could not write the store: EIO' } },
      answer(8),
    ]);
  });
});
