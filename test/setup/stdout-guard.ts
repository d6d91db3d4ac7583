import { afterEach, beforeEach, expect } from 'vitest';

/**
 * stdout is the MCP protocol in stdio mode, so code under test must never print to it.
 * Any write through console.log/info/debug or process.stdout.write fails the test that made it.
 */
let writes: string[] = [];
const originalWrite = process.stdout.write.bind(process.stdout);
const originals = { log: console.log, info: console.info, debug: console.debug };

beforeEach(() => {
  writes = [];
  process.stdout.write = ((chunk: unknown, ...rest: unknown[]) => {
    writes.push(String(chunk));
    return (originalWrite as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stdout.write;
  for (const name of ['log', 'info', 'debug'] as const) {
    console[name] = (...args: unknown[]) => {
      writes.push(args.map(String).join(' '));
    };
  }
});

afterEach(() => {
  process.stdout.write = originalWrite as typeof process.stdout.write;
  Object.assign(console, originals);
  expect(writes, 'code under test wrote to stdout').toEqual([]);
});
