/**
 * Agent definition files (SPEC §3): Markdown with YAML frontmatter, read so that Claude Code's
 * `.claude/agents/*.md` work unchanged. Pure: text in, a definition or a problem out.
 */
import path from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

/** An agent id: lowercase letters and digits, words joined by single hyphens. */
export const AGENT_ID_PATTERN = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Which Baton tools a subagent gets (SPEC §8). */
export const TOOL_SCOPES = ['isolated', 'restricted', 'shared'] as const;
/** How a subagent's notes relate to its parent's (SPEC §8). */
export const MEMORY_SCOPES = ['isolated', 'snapshot', 'shared'] as const;
/** One of `TOOL_SCOPES`. */
export type ToolScope = (typeof TOOL_SCOPES)[number];
/** One of `MEMORY_SCOPES`. */
export type MemoryScope = (typeof MEMORY_SCOPES)[number];

const POSITIVE_INT = 'expected a positive integer';
const NON_NEGATIVE_INT = 'expected an integer >= 0';
const DESCRIPTION = 'expected a non-empty text saying when to use this agent';
const MODEL =
  'expected a non-empty model name (provider:model, sonnet, opus, haiku, claude-*, gpt-*, o*, sampling or inherit)';
const TOOL_NAME = 'expected a tool name';
const TOOLS = 'expected a comma-separated string or a list of tool names';
const SERVERS = 'expected a list of MCP server names, or of {name: {command: …}} definitions';
const BUDGET_TOKENS = 'expected a whole number of tokens > 0';
const BUDGET_USD = 'expected an amount of US dollars > 0, a plain number such as 2.5';

const positiveInt = () =>
  z.number({ error: POSITIVE_INT }).int({ error: POSITIVE_INT }).positive({ error: POSITIVE_INT });

/** A validated agent definition; defaults applied, Claude Code spellings normalised. */
export const AgentDefinitionSchema = z.object({
  id: z.string().regex(AGENT_ID_PATTERN),
  description: z.string({ error: DESCRIPTION }).trim().min(1, { error: DESCRIPTION }),
  model: z.string({ error: MODEL }).trim().min(1, { error: MODEL }).optional(),
  tools: z.array(z.string({ error: TOOL_NAME }).trim().min(1, { error: TOOL_NAME }), { error: TOOLS }).optional(),
  /** Claude Code's `disallowedTools`: taken away from what `tools:` (or the scope) gives. */
  disallowed_tools: z
    .array(z.string({ error: TOOL_NAME }).trim().min(1, { error: TOOL_NAME }), { error: TOOLS })
    .optional(),
  /**
   * Claude Code's `mcpServers`: names of configured servers, or inline definitions (checked, and gated by the
   * operator's permission, when the agent's tools are planned: `runtime/tool-plan.ts`).
   */
  mcp_servers: z
    .array(
      z.union([
        z.string().trim().min(1),
        z.object({ name: z.string().min(1), config: z.record(z.string(), z.unknown()) }),
      ]),
      { error: SERVERS },
    )
    .optional(),
  max_steps: positiveInt().default(8),
  timeout_seconds: positiveInt().optional(),
  tool_scope: z.enum(TOOL_SCOPES, { error: `expected one of ${TOOL_SCOPES.join(', ')}` }).default('restricted'),
  memory_scope: z.enum(MEMORY_SCOPES, { error: `expected one of ${MEMORY_SCOPES.join(', ')}` }).default('isolated'),
  max_retries: z
    .number({ error: NON_NEGATIVE_INT })
    .int({ error: NON_NEGATIVE_INT })
    .min(0, { error: NON_NEGATIVE_INT })
    .default(0),
  /** SPEC §5: the tokens (input, cached included, plus output) each of this agent's tasks and its subtree may spend. */
  budget_tokens: z
    .number({ error: BUDGET_TOKENS })
    .int({ error: BUDGET_TOKENS })
    .positive({ error: BUDGET_TOKENS })
    .max(Number.MAX_SAFE_INTEGER, { error: BUDGET_TOKENS })
    .optional(),
  /** SPEC §5: the same budget in USD, at the configured prices. */
  budget_usd: z.number({ error: BUDGET_USD }).finite({ error: BUDGET_USD }).positive({ error: BUDGET_USD }).optional(),
  system_prompt: z.string(),
  path: z.string(),
  /** Frontmatter fields Baton does not use (Claude Code's `color`, `permissionMode`, …), kept as read. */
  extra: z.record(z.string(), z.unknown()).default({}),
});
export type AgentDefinition = z.infer<typeof AgentDefinitionSchema>;

/** A definition file that could not be used, or a file that lost to another with the same id. */
export const AgentProblemSchema = z.object({ path: z.string(), reason: z.string() });
export type AgentProblem = z.infer<typeof AgentProblemSchema>;

/** The outcome of reading one definition file. */
export type ParseAgentResult = { ok: true; agent: AgentDefinition } | { ok: false; problem: AgentProblem };

/** Frontmatter keys Baton reads; every other key goes to `extra`. */
const KNOWN_KEYS = new Set([
  'name',
  'description',
  'model',
  'tools',
  'disallowedTools',
  'disallowed_tools',
  'mcpServers',
  'mcp_servers',
  'max_steps',
  'maxTurns',
  'timeout_seconds',
  'tool_scope',
  'memory_scope',
  'max_retries',
  'budget_tokens',
  'budget_usd',
]);

/** SPEC §3: a definition file is a regular file of at most 256 KiB. */
export const DEFINITION_MAX_BYTES = 256 * 1024;
/** Its frontmatter is at most 64 KiB: YAML parses at ~1 ms a KiB, and real frontmatters are a few KiB. */
export const FRONTMATTER_MAX_BYTES = 64 * 1024;
/** And has at most 100 fields (Claude Code's have about ten): checking thousands would hold the event loop. */
export const FRONTMATTER_MAX_FIELDS = 100;

/** True for a file name the registry treats as an agent definition (`*.md`, but not a folder's README). */
export function isAgentFile(filePath: string): boolean {
  const base = path.basename(filePath).toLowerCase();
  return base.endsWith('.md') && base !== 'readme.md';
}

/**
 * Parses one definition file; `path` is only used for the id default and in the result. `yaml` is the parse of
 * its frontmatter when it was made elsewhere (the reader parses large ones in a worker thread).
 */
export function parseAgentFile(text: string, filePath: string, yaml?: YamlResult): ParseAgentResult {
  const fail = (reason: string): ParseAgentResult => ({ ok: false, problem: { path: filePath, reason } });

  const split = splitFrontmatter(text);
  if (!split.ok) return fail(split.reason);
  const size = Buffer.byteLength(split.frontmatter);
  if (size > FRONTMATTER_MAX_BYTES) {
    return fail(`frontmatter: ${size} bytes; the limit is ${FRONTMATTER_MAX_BYTES} (64 KiB)`);
  }

  yaml ??= readYaml(split.frontmatter, split.firstLine);
  if (!yaml.ok) return fail(yaml.reason);
  const fields = yaml.value ?? {};
  if (typeof fields !== 'object' || Array.isArray(fields)) {
    return fail(`frontmatter: expected YAML fields (name: value lines); got ${describe(fields)}`);
  }
  const raw = fields as Record<string, unknown>;
  const count = Object.keys(raw).length;
  if (count > FRONTMATTER_MAX_FIELDS) {
    return fail(`frontmatter: ${count} fields; the limit is ${FRONTMATTER_MAX_FIELDS}`);
  }

  const fileStem = path.basename(filePath).replace(/\.md$/i, '');
  const idFromName = raw.name !== undefined && raw.name !== null;
  // max_steps wins when both spellings are present; Claude Code's maxTurns is the same setting.
  const stepsKey = raw.max_steps === undefined && raw.maxTurns !== undefined ? 'maxTurns' : 'max_steps';
  const extra = Object.fromEntries(Object.entries(raw).filter(([key]) => !KNOWN_KEYS.has(key)));

  const candidate = {
    id: idFromName ? raw.name : fileStem,
    description: raw.description ?? undefined,
    model: raw.model ?? undefined,
    tools: normaliseTools(raw.tools),
    disallowed_tools: normaliseTools(raw.disallowedTools ?? raw.disallowed_tools),
    mcp_servers: normaliseServers(raw.mcpServers ?? raw.mcp_servers),
    max_steps: raw[stepsKey] ?? undefined,
    timeout_seconds: raw.timeout_seconds ?? undefined,
    tool_scope: raw.tool_scope ?? undefined,
    memory_scope: raw.memory_scope ?? undefined,
    max_retries: raw.max_retries ?? undefined,
    budget_tokens: raw.budget_tokens ?? undefined,
    budget_usd: raw.budget_usd ?? undefined,
    system_prompt: split.body.trim(),
    path: filePath,
    extra,
  };

  const parsed = AgentDefinitionSchema.safeParse(candidate, { reportInput: true });
  if (parsed.success) return { ok: true, agent: parsed.data };

  const reasons = parsed.error.issues.map((issue) => {
    const [field, index] = issue.path;
    if (field === 'id') return idReason(issue.input, idFromName);
    const name =
      field === 'max_steps'
        ? stepsKey
        : field === 'disallowed_tools'
          ? 'disallowedTools'
          : field === 'mcp_servers'
            ? 'mcpServers'
            : String(field);
    const where = typeof index === 'number' ? `${name}[${index + 1}]` : name;
    if (issue.input === undefined) return `${where}: missing; ${issue.message}`;
    return `${where}: ${issue.message}; got ${describe(issue.input)}`;
  });
  return fail(reasons.join('; '));
}

/** A suggested id for a display name: "Code Reviewer" → "code-reviewer". */
export function suggestAgentId(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

function idReason(input: unknown, fromName: boolean): string {
  const expected = 'an id is lowercase letters, digits and single hyphens';
  if (typeof input !== 'string') return `name: expected a string id (${expected}); got ${describe(input)}`;
  const suggestion = suggestAgentId(input);
  const hint = suggestion ? ` (for example '${suggestion}')` : '';
  return fromName
    ? `name: '${input}' is not a valid id; ${expected}${hint}`
    : `name: missing, and the file name '${input}' is not a valid id; ${expected}: add a name: field${hint} or rename the file`;
}

/** Claude Code writes `tools: Read, Grep, Glob`; a YAML list works too. Blank (or `*`) means "not narrowed". */
function normaliseTools(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') return value;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name.length > 0);
  return names.length > 0 && !(names.length === 1 && names[0] === '*') ? names : undefined;
}

/**
 * `mcpServers:` as Claude Code writes it: a list of names and `{name: {config}}` entries, a `{name: {config}}` map,
 * or a comma-separated string of names. Anything else is left as it is for the schema to refuse.
 */
function normaliseServers(value: unknown): unknown {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return normaliseTools(value);
  const entry = (name: string, config: unknown) =>
    typeof config === 'object' && config !== null && !Array.isArray(config) ? { name, config } : value;
  if (Array.isArray(value)) {
    return value.map((item) => {
      if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
        const [pair, ...more] = Object.entries(item);
        return pair && more.length === 0 ? entry(pair[0], pair[1]) : item;
      }
      return item;
    });
  }
  if (typeof value === 'object') return Object.entries(value).map(([name, config]) => entry(name, config));
  return value;
}

type Split = { ok: true; frontmatter: string; firstLine: number; body: string } | { ok: false; reason: string };

/**
 * Separates the frontmatter between the leading `---` lines from the body (CRLF read as LF). It looks only at
 * lines that start with `---`, rather than splitting the whole file into lines: a 256 KiB file of blank lines
 * would otherwise be 262,144 strings.
 */
export function splitFrontmatter(text: string): Split {
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const opener = source.indexOf('\n');
  if ((opener === -1 ? source : source.slice(0, opener)).trimEnd() !== '---') {
    return { ok: false, reason: "frontmatter: missing; the file must start with a '---' line, the fields, then '---'" };
  }
  const lf = (part: string) => part.replace(/\r\n/g, '\n');
  for (let from = opener; from !== -1;) {
    const at = source.indexOf('\n---', from);
    if (at === -1) break;
    const lineEnd = source.indexOf('\n', at + 1);
    if (source.slice(at + 1, lineEnd === -1 ? undefined : lineEnd).trimEnd() === '---') {
      return {
        ok: true,
        frontmatter: lf(source.slice(opener + 1, Math.max(opener + 1, at))).replace(/\r$/, ''),
        firstLine: 2,
        body: lineEnd === -1 ? '' : lf(source.slice(lineEnd + 1)),
      };
    }
    from = at + 1;
  }
  return { ok: false, reason: "frontmatter: no closing '---' line after the fields" };
}

/** A frontmatter's fields, or the problem to report. */
export type YamlResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** What parsing a frontmatter gave: plain data, or the first error and where it is. */
export type YamlOutcome = { ok: true; value: unknown } | { ok: false; message: string; line?: number; col?: number };

function readYaml(frontmatter: string, firstLine: number): YamlResult {
  return yamlResult(parseFrontmatterYaml({ yaml: { parseDocument } }, frontmatter), firstLine);
}

/** The problem text of a failed parse; `firstLine` is the file line the frontmatter starts on. */
export function yamlResult(outcome: YamlOutcome, firstLine: number): YamlResult {
  if (outcome.ok) return outcome;
  const message = outcome.message.split(' at line ')[0]?.split('\n')[0] ?? outcome.message;
  const at = outcome.line !== undefined ? ` at line ${outcome.line + firstLine - 1}, column ${outcome.col}` : '';
  return { ok: false, reason: `frontmatter: invalid YAML${at}: ${message}` };
}

/**
 * Parses a frontmatter; on a syntax error, retries once with Claude Code's common unquoted-colon descriptions
 * quoted. Self-contained (it uses only its arguments): its source also runs in the reader's worker thread.
 */
export function parseFrontmatterYaml(
  modules: { yaml: { parseDocument: typeof parseDocument } },
  frontmatter: string,
): YamlOutcome {
  const toValue = (doc: ReturnType<typeof parseDocument>): YamlOutcome => {
    try {
      return { ok: true, value: doc.toJS() };
    } catch (error) {
      // toJS throws on alias bombs (more aliases than yaml's maxAliasCount).
      return { ok: false, message: error instanceof Error ? error.message : String(error) };
    }
  };
  // Many Claude Code agents have `description: Use this when: …` unquoted, which strict YAML rejects. Such a
  // top-level line is always an error, so quoting its value only changes files that would not parse anyway.
  // ([\s\S]* and trimEnd rather than a lazy group: no backtracking on long lines.)
  const quoteColonValues = (text: string): string =>
    text
      .split('\n')
      .map((line) => {
        const match = /^([A-Za-z_][\w-]*):[ \t]+([\s\S]*)$/.exec(line);
        if (!match) return line;
        const key = match[1] as string;
        const value = (match[2] ?? '').trimEnd();
        if (/^["'|>[{&*!#]/.test(value) || !/:(\s|$)/.test(value)) return line;
        return `${key}: ${JSON.stringify(value)}`;
      })
      .join('\n');

  const doc = modules.yaml.parseDocument(frontmatter);
  const error = doc.errors[0];
  if (!error) return toValue(doc);
  const repaired = quoteColonValues(frontmatter);
  if (repaired !== frontmatter) {
    const retry = modules.yaml.parseDocument(repaired);
    if (retry.errors.length === 0) return toValue(retry);
  }
  const pos = error.linePos?.[0];
  return { ok: false, message: error.message, ...(pos ? { line: pos.line, col: pos.col } : {}) };
}

/** A short rendering of a value for a problem message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') {
    const shown = value.length > 60 ? `${value.slice(0, 57)}...` : value;
    return `'${shown}'`;
  }
  if (typeof value === 'object') return 'a mapping';
  return String(value);
}
