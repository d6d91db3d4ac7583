/**
 * Baton's own `tools/list` answer, in place of the SDK's: the same fields (name, title, description, input and
 * output schemas, annotations, execution, _meta) with the schemas in their published form (`tool-schema.ts`), and a
 * tool's description and input schema taken from its `view` when it has one (subagent_dispatch offers only the
 * agents that can run now; calls are still validated against the registered schema).
 */
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import type { z } from 'zod';
import { publishedSchema } from './tool-schema.js';

/** What a tool shows in `tools/list` in place of its registered description and input schema. */
export type ToolView = () => { description: string; inputSchema: z.ZodObject };

const EMPTY_INPUT = { type: 'object', properties: {} };

/**
 * Answers `tools/list` for `server` from its registered tools (by name), enabled ones only, and of those only the
 * ones `listed` says this client is shown (a tool for MCP Apps, to a host that renders them).
 */
export function serveToolList(
  server: McpServer,
  tools: ReadonlyMap<string, RegisteredTool>,
  views: ReadonlyMap<string, ToolView> = new Map(),
  listed: (name: string) => boolean = () => true,
): void {
  server.server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: [...tools]
      .filter(([name, tool]) => tool.enabled && listed(name))
      .map(([name, tool]) => definition(name, tool, views.get(name))),
  }));
}

function definition(name: string, tool: RegisteredTool, view: ToolView | undefined): Tool {
  const shown = view?.();
  const input = shown?.inputSchema ?? (tool.inputSchema as z.ZodType | undefined);
  return {
    name,
    ...(tool.title !== undefined ? { title: tool.title } : {}),
    ...((shown?.description ?? tool.description) !== undefined
      ? { description: shown?.description ?? tool.description }
      : {}),
    inputSchema: (input ? publishedSchema(input, 'input') : EMPTY_INPUT) as Tool['inputSchema'],
    ...(tool.outputSchema
      ? { outputSchema: publishedSchema(tool.outputSchema as z.ZodType, 'output') as Tool['outputSchema'] }
      : {}),
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
    // MCP 2025-11-25: a tool without `execution.taskSupport` is "forbidden" (no MCP Tasks); say only the others.
    ...(tool.execution && tool.execution.taskSupport !== 'forbidden' ? { execution: tool.execution } : {}),
    ...(tool._meta ? { _meta: tool._meta } : {}),
  };
}
