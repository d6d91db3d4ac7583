/**
 * Claude Code's names for MCP tools: `mcp__<server>__<tool>`, so a `tools:` list written for Claude Code means the
 * same in Baton. Both vendors want names of `[A-Za-z0-9_-]` and at most 64 characters; other characters become `_`.
 */
import { createHash } from 'node:crypto';

export const MCP_PREFIX = 'mcp__';
const MAX_NAME = 64;

/** A name part with every character the vendors refuse replaced by `_`. */
export function sanitizeName(part: string): string {
  return part.replace(/[^A-Za-z0-9_-]/g, '_');
}

/** The name a subagent sees for `tool` of `server`; long names are cut and made unique with a short hash. */
export function mcpToolName(server: string, tool: string): string {
  const full = `${MCP_PREFIX}${sanitizeName(server)}__${sanitizeName(tool)}`;
  if (full.length <= MAX_NAME) return full;
  const hash = createHash('sha256').update(`${server}\0${tool}`).digest('hex').slice(0, 8);
  return `${full.slice(0, MAX_NAME - 9)}_${hash}`;
}

/** A `tools:` entry naming MCP tools: a whole server (`mcp__github`, `mcp__github__*`) or one tool. */
export interface McpToolRef {
  server: string;
  /** null: every tool of the server. */
  tool: string | null;
}

/**
 * Reads `mcp__<server>[__<tool>|__*]` against the server names an agent can use (a server name may itself hold
 * `__`, so the longest known server that fits wins). Undefined when the name is not an MCP tool name; `server` is
 * then the text after the prefix up to the next `__`, for the "not configured" message.
 */
export function parseMcpToolName(name: string, servers: Iterable<string>): McpToolRef | undefined {
  if (!name.startsWith(MCP_PREFIX)) return undefined;
  const rest = name.slice(MCP_PREFIX.length);
  const known = [...servers].sort((a, b) => b.length - a.length);
  for (const server of known) {
    const prefix = sanitizeName(server);
    if (rest === prefix || rest === `${prefix}__*`) return { server, tool: null };
    if (rest.startsWith(`${prefix}__`)) return { server, tool: rest.slice(prefix.length + 2) };
  }
  const at = rest.indexOf('__');
  return { server: at === -1 ? rest : rest.slice(0, at), tool: at === -1 ? null : rest.slice(at + 2) };
}
