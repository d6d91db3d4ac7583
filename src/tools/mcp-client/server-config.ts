/**
 * MCP server declarations in the shape Claude Desktop and `.mcp.json` use (SPEC §8, issue 8): `command` / `args` /
 * `env` / `cwd` for a stdio server, `url` / `headers` for Streamable HTTP (with a legacy SSE fallback, or `type:
 * "sse"` for SSE only). Unknown keys (`autoApprove`, …) are kept and ignored. Pure: no SDK, no I/O.
 */
import { z } from 'zod';

const TIMEOUT = 'expected seconds > 0';

/** Fields both kinds share. */
const common = {
  /** Claude Desktop / Cline spelling: a disabled server is not started and its tools are not offered. */
  disabled: z.boolean().optional(),
  /** Per-call timeout; the run's own deadline and cancellation bound every call too. */
  timeoutSeconds: z.number({ error: TIMEOUT }).positive({ error: TIMEOUT }).optional(),
};

/** A server Baton starts as a child process and speaks to over stdin/stdout. */
export const StdioServerConfigSchema = z.looseObject({
  type: z.literal('stdio').optional(),
  command: z.string({ error: 'expected the command to run' }).min(1, { error: 'expected the command to run' }),
  args: z.array(z.string(), { error: 'expected a list of strings' }).default([]),
  env: z.record(z.string(), z.string(), { error: 'expected {"NAME": "value"}' }).default({}),
  cwd: z.string().optional(),
  ...common,
});

/** A server Baton reaches over HTTP: Streamable HTTP first, then the legacy HTTP+SSE transport. */
export const HttpServerConfigSchema = z.looseObject({
  type: z.enum(['http', 'streamable-http', 'sse'], { error: 'expected "stdio", "http" or "sse"' }).optional(),
  // A pattern, not z.url(): ${VAR} may stand for the host until the server is started.
  url: z
    .string({ error: 'expected an http:// or https:// URL' })
    .regex(/^https?:\/\//i, { error: 'expected an http:// or https:// URL' }),
  headers: z.record(z.string(), z.string(), { error: 'expected {"Header": "value"}' }).default({}),
  ...common,
});

/** One entry of `mcpServers`. */
export const McpServerConfigSchema = z.union([StdioServerConfigSchema, HttpServerConfigSchema], {
  error: 'expected {"command": …, "args": […]} for a stdio server or {"url": …} for an HTTP server',
});
export type McpServerConfig = z.infer<typeof McpServerConfigSchema>;
export type StdioServerConfig = z.infer<typeof StdioServerConfigSchema>;
export type HttpServerConfig = z.infer<typeof HttpServerConfigSchema>;

/** A server name: what follows `mcp__` in its tools' names. */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** `mcpServers`: servers by name. */
export const McpServersSchema = z.record(
  z.string().regex(SERVER_NAME_PATTERN, { error: 'a server name is letters, digits, "_", "-" and "."' }),
  McpServerConfigSchema,
);
export type McpServers = z.infer<typeof McpServersSchema>;

/** Whether `config` is a stdio server. */
export function isStdio(config: McpServerConfig): config is StdioServerConfig {
  return 'command' in config && typeof config.command === 'string';
}

/** The first problem of an invalid server entry, as "field: message". */
export function describeServerError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid server';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  // A bad record key nests its own issues: show what is wrong with the name.
  const inner = issue.code === 'invalid_key' ? issue.issues[0]?.message : undefined;
  return `${where}${inner ?? issue.message}`;
}

/**
 * Expands `${VAR}` and `${VAR:-default}` in a server's command, args, env, url and headers, as `.mcp.json` does.
 * An unset variable without a default expands to nothing.
 */
export function expandServerConfig<C extends McpServerConfig>(
  config: C,
  env: Readonly<Record<string, string | undefined>>,
): C {
  const expand = (text: string) =>
    text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name: string, fallback?: string) => {
      const value = env[name];
      return value !== undefined && value !== '' ? value : (fallback ?? '');
    });
  const map = (record: Record<string, string>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [key, expand(value)]));
  if (isStdio(config)) {
    return {
      ...config,
      command: expand(config.command),
      args: config.args.map(expand),
      env: map(config.env),
      ...(config.cwd !== undefined ? { cwd: expand(config.cwd) } : {}),
    };
  }
  const http = config as HttpServerConfig;
  return { ...http, url: expand(http.url), headers: map(http.headers) } as C;
}
