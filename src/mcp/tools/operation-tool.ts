/**
 * An operation (`tasks/operations/`) as an MCP tool: its schemas, annotations and handler, the caller's mistakes as
 * `isError` results, and progress for operations that wait.
 */
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { Operation } from '../../tasks/operations/operation.js';
import type { SessionContext } from '../context.js';
import { progressOf } from '../progress.js';
import { toolResult } from '../tool-result.js';

/** `meta`: the tool's `_meta` (the board app's link, for the tools that show it). */
export function registerOperation(
  server: McpServer,
  ctx: SessionContext,
  op: Operation,
  meta?: Record<string, unknown>,
): RegisteredTool {
  return server.registerTool(
    op.name,
    {
      title: op.title,
      description: op.description,
      inputSchema: op.input.shape,
      outputSchema: op.output.shape,
      annotations: op.annotations,
      ...(meta ? { _meta: meta } : {}),
    },
    (args: Record<string, unknown>, extra) =>
      toolResult(async () => {
        if (!op.waits?.(args)) return op.run(ctx.operations, args, { signal: extra.signal });
        const progress = progressOf(extra, { heartbeat: 'still waiting' });
        try {
          return await op.run(ctx.operations, args, { signal: extra.signal, progress: (m) => progress.send(m) });
        } finally {
          progress.stop();
        }
      }),
  );
}
