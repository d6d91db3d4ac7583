/**
 * Configuration: every option comes from a flag, an environment variable or `baton.config.json`, in that order
 * of precedence (SPEC §2). `parseConfig` is pure; a bad value throws a `ConfigError` whose one line names the
 * option, where the value came from and what is wrong.
 */
import { BlockList, isIP } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { LOG_LEVELS } from './log.js';
import { AgentIdSchema } from './tasks/inputs.js';
import { describeServerError, McpServersSchema } from './tools/mcp-client/server-config.js';
import type { McpServers } from './tools/mcp-client/server-config.js';
import { DEFAULT_PRICES, parsePrices, PricesSchema } from './usage/prices.js';

/**
 * A number option: a flag or variable gives text, the config file a number. Anything else is said in words, so
 * that `--max-depth abc` answers "expected a whole number ≥ 0", not zod's "expected number, received NaN".
 */
const numberOption = (text: RegExp, ok: (n: number) => boolean, expected: string) =>
  z.unknown().transform((raw, ctx) => {
    const value = typeof raw === 'number' ? raw : typeof raw === 'string' && text.test(raw) ? Number(raw) : NaN;
    if (ok(value)) return value;
    ctx.addIssue({ code: 'custom', message: expected });
    return z.NEVER;
  });
const wholeNumber = (min: number) =>
  numberOption(/^\s*\d+\s*$/, (n) => Number.isInteger(n) && n >= min, `expected a whole number ≥ ${min}`);
const positiveInt = wholeNumber(1);
const positiveSeconds = numberOption(/^\s*\d*\.?\d+\s*$/, (n) => n > 0, 'expected a number of seconds > 0');

/** What `--allow` grants: `write` for Write and Edit, `bash` for Bash (and agents' own inline MCP servers). */
export const PERMISSIONS = ['write', 'bash'] as const;
export type Permission = (typeof PERMISSIONS)[number];

/** `[HOST:]PORT` → `{ host, port }`; the host defaults to loopback. */
const HttpAddressSchema = z.string().transform((value, ctx) => {
  const match = /^(?:(\[[0-9a-fA-F:.]+\]|[^:]+):)?(\d{1,5})$/.exec(value.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || port > 65535) {
    ctx.addIssue({ code: 'custom', message: 'expected [HOST:]PORT, e.g. 3000 or 127.0.0.1:3000' });
    return z.NEVER;
  }
  const host = (match[1] ?? '127.0.0.1').replace(/^\[(.*)\]$/, '$1');
  return { host, port };
});

export const ConfigSchema = z.object({
  transport: z.enum(['stdio', 'http']),
  http: z.object({ host: z.string(), port: z.number().int() }).nullable(),
  store: z.string(),
  as: AgentIdSchema,
  agents: z.array(z.string()).nullable(),
  model: z.string().nullable(),
  maxConcurrency: z.number().int().positive(),
  maxDepth: z.number().int().min(0),
  maxPerSession: z.number().int().positive(),
  defaultTimeout: z.number().positive(),
  tokens: z.string().nullable(),
  /** `--admin-token`: a bearer token that sees every task on the board (SPEC §12); null = none. */
  adminToken: z.string().nullable(),
  tools: z.array(z.string()).nullable(),
  logLevel: z.enum(LOG_LEVELS),
  /** `--workspace`: where workspace tools act when the host declares no roots; null = the start directory. */
  workspace: z.array(z.string()).nullable(),
  /** `--allow`: what the operator lets agents do beyond reading (SPEC §8). */
  permissions: z.array(z.enum(PERMISSIONS)),
  /** MCP servers for subagents: `mcpServers` of the config file, then each `--mcp-config` file. */
  mcpServers: McpServersSchema,
  /** `models` / `--model-map`: alias or `vendor:*` → model spec. */
  models: z.record(z.string(), z.string()),
  /** False with `--no-bundled-agents`. */
  bundledAgents: z.boolean(),
  maxSessions: z.number().int().positive(),
  sessionIdleTimeout: z.number().positive(),
  /** `--lease-seconds`: how long a claim on a subagent task lasts unless its runner renews it (SPEC §5). */
  leaseSeconds: z.number().positive(),
  /** `--max-tokens-per-root`: a token budget for every root task's whole tree (SPEC §5); null = none. */
  maxTokensPerRoot: z.number().int().positive().nullable(),
  /** `prices`: USD per million tokens per `provider:model`, the file's entries over `DEFAULT_PRICES`. */
  prices: PricesSchema,
});
export type Config = z.infer<typeof ConfigSchema>;

/** Raw values as commander hands them over (strings, booleans, repeated flags as arrays). */
export type RawFlags = Record<string, unknown>;

interface OptionSpec {
  key: Exclude<keyof Config, 'transport' | 'http' | 'mcpServers' | 'models' | 'bundledAgents' | 'prices'>;
  flag: string;
  env?: string;
  schema: z.ZodType;
  fallback: (env: NodeJS.ProcessEnv) => unknown;
}

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter((s) => s !== ''));

const OPTIONS: OptionSpec[] = [
  {
    key: 'store',
    flag: '--store',
    env: 'BATON_STORE',
    schema: z.string().min(1),
    fallback: (env) => path.join(env.HOME ?? os.homedir(), '.baton', 'store.json'),
  },
  { key: 'as', flag: '--as', env: 'BATON_AS', schema: AgentIdSchema, fallback: () => 'host' },
  {
    key: 'agents',
    flag: '--agents',
    env: 'BATON_AGENTS',
    schema: z.union([
      z.array(z.string().min(1)),
      z.string().transform((v) => v.split(path.delimiter).filter((s) => s !== '')),
    ]),
    fallback: () => null,
  },
  { key: 'model', flag: '--model', env: 'BATON_MODEL', schema: z.string().min(1), fallback: () => null },
  { key: 'maxConcurrency', flag: '--max-concurrency', schema: positiveInt, fallback: () => 8 },
  { key: 'maxDepth', flag: '--max-depth', schema: wholeNumber(0), fallback: () => 3 },
  { key: 'maxPerSession', flag: '--max-per-session', schema: positiveInt, fallback: () => 10 },
  { key: 'defaultTimeout', flag: '--default-timeout', schema: positiveSeconds, fallback: () => 600 },
  { key: 'tokens', flag: '--tokens', env: 'BATON_TOKENS', schema: z.string().min(1), fallback: () => null },
  {
    key: 'adminToken',
    flag: '--admin-token',
    env: 'BATON_ADMIN_TOKEN',
    // A secret that sees every task: too short a one is guessed.
    schema: z.string().trim().min(16, { error: 'expected a secret of at least 16 characters' }),
    fallback: () => null,
  },
  { key: 'tools', flag: '--tools', schema: list, fallback: () => null },
  {
    key: 'logLevel',
    flag: '--log-level',
    env: 'BATON_LOG_LEVEL',
    schema: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }),
    fallback: () => 'info',
  },
  {
    key: 'workspace',
    flag: '--workspace',
    schema: z.union([
      z.array(z.string().min(1)),
      z
        .string()
        .min(1)
        .transform((v) => [v]),
    ]),
    fallback: () => null,
  },
  {
    key: 'permissions',
    flag: '--allow',
    // "permissions": {"allow": ["write"]} reads the same as "permissions": ["write"].
    schema: z.preprocess(
      (v) => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as { allow?: unknown }).allow : v),
      list.pipe(z.array(z.enum(PERMISSIONS, { error: `expected ${PERMISSIONS.join(', ')}` }))),
    ),
    fallback: () => [],
  },
  // SPEC §10: open sessions per token bounded, idle ones closed.
  { key: 'maxSessions', flag: '--max-sessions', schema: positiveInt, fallback: () => 64 },
  { key: 'sessionIdleTimeout', flag: '--session-idle-timeout', schema: positiveSeconds, fallback: () => 1800 },
  // SPEC §5: a dead process's subagent tasks are taken over once their lease lapses.
  { key: 'leaseSeconds', flag: '--lease-seconds', schema: positiveSeconds, fallback: () => 30 },
  // SPEC §5: spend is counted in tokens (input, cached included, plus output: usage/usage.ts `totalTokens`).
  { key: 'maxTokensPerRoot', flag: '--max-tokens-per-root', schema: positiveInt, fallback: () => null },
];

/** The keys `baton.config.json` may hold. */
const FILE_KEYS = new Set<string>([
  ...OPTIONS.map((o) => o.key),
  'http',
  'mcpServers',
  'models',
  'bundledAgents',
  'prices',
]);

/** A `--mcp-config FILE` as read by the caller: where it came from and its parsed JSON. */
export interface McpConfigFile {
  source: string;
  value: unknown;
}

/** A model map key: an alias (`sonnet`), a whole vendor (`anthropic:*`) or one model (`anthropic:claude-x`). */
const MODEL_KEY = /^(?:[a-z0-9][a-z0-9._-]*|[a-z]+:\*|[a-z]+:.+)$/i;
const ModelsSchema = z.record(
  z.string().trim().regex(MODEL_KEY, { error: 'expected an alias, vendor:* or provider:model as the key' }),
  z.string({ error: 'expected a model such as openai:qwen3' }).trim().min(1),
);

/**
 * Merges flags, environment and config file (in that order of precedence) over the defaults and validates
 * the result. `file` is the parsed `baton.config.json`, or null when there is none.
 */
export function parseConfig(
  flags: RawFlags,
  env: NodeJS.ProcessEnv,
  file: Record<string, unknown> | null,
  mcpFiles: readonly McpConfigFile[] = [],
): Config {
  if (file !== null) {
    for (const key of Object.keys(file)) {
      if (!FILE_KEYS.has(key)) {
        throw new ConfigError(`baton.config.json: unknown option "${key}"; known: ${[...FILE_KEYS].join(', ')}`);
      }
    }
  }
  const values: Record<string, unknown> = {};
  for (const option of OPTIONS) {
    const flagName = camel(option.flag.slice(2));
    const sources: Array<[string, unknown]> = [
      [option.flag, flags[flagName]],
      [option.env ? `${option.env}` : '', option.env ? env[option.env] : undefined],
      [`"${option.key}" in baton.config.json`, file?.[option.key]],
    ];
    const found = sources.find(([, v]) => v !== undefined && v !== '');
    if (!found) {
      values[option.key] = option.fallback(env);
      continue;
    }
    const [source, raw] = found;
    const parsed = option.schema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(`invalid ${source}: ${describe(parsed.error)} (got ${show(raw)})`);
    values[option.key] = parsed.data;
  }

  values.mcpServers = mcpServersOf(file, mcpFiles);
  values.models = modelsOf(flags, file);
  values.bundledAgents = bundledAgentsOf(flags, file);
  values.prices =
    file?.prices === undefined ? { ...DEFAULT_PRICES } : parsePrices(file.prices, '"prices" in baton.config.json');

  // --stdio / --http [HOST:]PORT: stdio unless HTTP is asked for.
  const httpRaw = flags.http ?? file?.http;
  if (flags.stdio === true && flags.http !== undefined) {
    throw new ConfigError('choose one transport: --stdio or --http, not both');
  }
  let http: Config['http'] = null;
  if (httpRaw !== undefined && flags.stdio !== true) {
    const parsed = HttpAddressSchema.safeParse(String(httpRaw));
    const source = flags.http !== undefined ? '--http' : '"http" in baton.config.json';
    if (!parsed.success) throw new ConfigError(`invalid ${source}: ${describe(parsed.error)} (got ${show(httpRaw)})`);
    http = parsed.data;
  }
  // SPEC §10: without tokens every HTTP session acts as --as, so only this machine may connect. An address is
  // decided here; a host name is resolved when the server starts (transports/http.ts), and each of its addresses
  // must be loopback then.
  if (http && isIP(http.host) !== 0 && !isLoopbackAddress(http.host) && values.tokens === null) {
    throw new ConfigError(
      `refusing to listen on ${http.host} without --tokens: anyone who can reach it could act as ${String(values.as)}; ` +
        'bind to 127.0.0.1 or give --tokens',
    );
  }
  return ConfigSchema.parse({ ...values, transport: http ? 'http' : 'stdio', http });
}

/**
 * `mcpServers` of the config file, then of each `--mcp-config` file (a file is either `{"mcpServers": {…}}`, as
 * `.mcp.json` and Claude Desktop write it, or the bare map). A later file's server replaces an earlier one's.
 */
function mcpServersOf(file: Record<string, unknown> | null, mcpFiles: readonly McpConfigFile[]): McpServers {
  const sources: McpConfigFile[] = [];
  if (file?.mcpServers !== undefined)
    sources.push({ source: '"mcpServers" in baton.config.json', value: file.mcpServers });
  for (const { source, value } of mcpFiles) {
    const inner =
      typeof value === 'object' && value !== null && 'mcpServers' in value
        ? (value as { mcpServers: unknown }).mcpServers
        : value;
    sources.push({ source: `--mcp-config ${source}`, value: inner });
  }
  const servers: McpServers = {};
  for (const { source, value } of sources) {
    const parsed = McpServersSchema.safeParse(value);
    if (!parsed.success) throw new ConfigError(`invalid ${source}: ${describeServerError(parsed.error)}`);
    Object.assign(servers, parsed.data);
  }
  return servers;
}

/** `models` of the config file, with each `--model-map ALIAS=SPEC` over it (the flag wins per key). */
function modelsOf(flags: RawFlags, file: Record<string, unknown> | null): Record<string, string> {
  const models: Record<string, string> = {};
  if (file?.models !== undefined) {
    const parsed = ModelsSchema.safeParse(file.models);
    if (!parsed.success) throw new ConfigError(`invalid "models" in baton.config.json: ${describe(parsed.error)}`);
    for (const [key, value] of Object.entries(parsed.data)) models[key.toLowerCase()] = value;
  }
  const raw = flags.modelMap;
  const entries = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  for (const entry of entries) {
    const text = String(entry);
    const at = text.indexOf('=');
    const key = at > 0 ? text.slice(0, at).trim() : '';
    const value = at > 0 ? text.slice(at + 1).trim() : '';
    const parsed = ModelsSchema.safeParse({ [key]: value });
    if (at <= 0 || !value || !parsed.success) {
      throw new ConfigError(
        `invalid --model-map: expected ALIAS=PROVIDER:MODEL, e.g. sonnet=openai:qwen3 or anthropic:*=openai:qwen3 (got ${show(text)})`,
      );
    }
    models[key.toLowerCase()] = value;
  }
  return models;
}

/** `--no-bundled-agents` (commander sets `bundledAgents: false`), else `bundledAgents` in the file, else true. */
function bundledAgentsOf(flags: RawFlags, file: Record<string, unknown> | null): boolean {
  if (flags.bundledAgents === false) return false;
  const value = file?.bundledAgents;
  if (value === undefined) return true;
  if (typeof value !== 'boolean') {
    throw new ConfigError(`invalid "bundledAgents" in baton.config.json: expected true or false (got ${show(value)})`);
  }
  return value;
}

/** Loopback host names and addresses, as they appear in a bind address or a Host header. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Whether `address`, an IP address, is this machine only: 127.0.0.0/8 or ::1 (IPv4-mapped forms too). */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Token file: `{"<token>": "<agent id>"}`. Entries are checked by hand so that no issue path (and so no error
 * line) carries a token: an entry is named by its agent id.
 */
export const TokensSchema = z
  .record(z.string(), z.unknown())
  .superRefine((tokens, ctx) => {
    const entries = Object.entries(tokens);
    if (entries.length === 0) ctx.addIssue({ code: 'custom', message: 'the token file maps no token' });
    for (const [token, agentId] of entries) {
      const id = AgentIdSchema.safeParse(agentId);
      if (!id.success) {
        ctx.addIssue({ code: 'custom', message: `agent id ${show(agentId)}: ${id.error.issues[0]?.message}` });
      } else if (token.length < 16) {
        ctx.addIssue({ code: 'custom', message: `the token of "${id.data}" is shorter than 16 characters` });
      }
    }
  })
  .transform((tokens) => tokens as Record<string, string>);
export type Tokens = z.infer<typeof TokensSchema>;

/** Validates a parsed token file; `source` names it in the error. */
export function parseTokens(raw: unknown, source: string): Map<string, string> {
  const parsed = TokensSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`invalid token file ${source}: ${describe(parsed.error)}`);
  return new Map(Object.entries(parsed.data));
}

function describe(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid value';
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message}`;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}
