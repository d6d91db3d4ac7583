/** Starts the built CLI over stdio as a host would, with a real SDK client. */
import { existsSync } from 'node:fs';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { CLI } from './cli.js';
import type { TestClient } from './core.js';
import { wrapClient } from './core.js';

export { CLI };

export interface StdioProcess extends TestClient {
  transport: StdioClientTransport;
  /** Everything the server wrote to stderr. */
  stderr: () => string;
  pid: number;
  close(): Promise<void>;
}

export async function startStdio(args: string[], env: Record<string, string> = {}): Promise<StdioProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, ...args],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const client = new Client({ name: 'baton-e2e', version: '1.0.0' });
  await client.connect(transport);
  const wrapped = wrapClient(client);
  return {
    ...wrapped,
    transport,
    stderr: () => stderr,
    pid: transport.pid ?? -1,
    close: () => client.close(),
  };
}
