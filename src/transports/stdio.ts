/** The stdio transport: one MCP session on stdin/stdout acting as `--as`. */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createServer } from '../mcp/server.js';
import type { ServerDeps } from '../mcp/server.js';

export interface RunningTransport {
  /** Resolves when the client goes away (stdin closed). */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export async function startStdio(deps: ServerDeps, agentId: string): Promise<RunningTransport> {
  const server = createServer(deps, agentId);
  const transport = new StdioServerTransport();
  const ended = new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });
  await server.connect(transport);
  return {
    ended,
    async close() {
      await server.close();
    },
  };
}
