/**
 * What each MCP host needs to launch Baton over stdio: which config file, where the entry goes in it, and the
 * entry itself, with the subagents' model (`BATON_MODEL`) and its key's variable in `env`, in the form that host
 * reads. Pure: paths, platform and environment come in, so every host can be tested on any machine.
 */
import path from 'node:path';
import { ConfigError, errorMessage } from '../errors.js';
import { parseModelSpec } from '../providers/model-spec.js';
import type { ProviderEnv } from '../providers/types.js';
import { API_KEY_VARIABLES, apiKeyProblem } from '../providers/vendor-sdk.js';
import type { JsonEdit } from './json-config-file.js';

export const HOSTS = ['claude-desktop', 'claude-code', 'vscode', 'cursor'] as const;
export type Host = (typeof HOSTS)[number];

/** The name of Baton's entry in every host's server list. */
export const SERVER_NAME = 'baton';

/** Where Baton runs and what it should be told. */
export interface HostContext {
  platform: NodeJS.Platform;
  home: string;
  /** The project folder (the working directory of `baton init`). */
  cwd: string;
  env: ProviderEnv;
  /** The node binary and the CLI script the host should launch (absolute). */
  node: string;
  cli: string;
  /** The agents folder (absolute): hosts start servers in a working directory of their choosing. */
  agentsDir: string;
  /** `--model`: provider:model, an alias, or `sampling`. */
  model: string;
}

export interface HostConfig {
  host: Host;
  /** The config file the host reads. */
  file: string;
  /** The host reads JSON with comments (VS Code). */
  jsonc: boolean;
  /** The key of the server list in the file: `mcpServers`, or `servers` for VS Code. */
  listKey: 'mcpServers' | 'servers';
  /** The whole snippet to show: what the file holds for Baton. */
  snippet: Record<string, unknown>;
  /** The edits that put `snippet` into an existing document (after checking its shape). */
  edits(document: Record<string, unknown>): JsonEdit[];
  /** Lines for people: where the key comes from, what to do next. */
  notes: string[];
  next: string;
}

/** The config of `host` in `context`. Throws `ConfigError` for a model that names no provider. */
export function hostConfig(host: Host, context: HostContext): HostConfig {
  const model = modelVariables(context);
  const args = [context.cli, '--as', host, '--agents', context.agentsDir];
  const stdio = { command: context.node, args };
  switch (host) {
    case 'claude-desktop': {
      // Claude Desktop reads mcpServers.<name>.{command,args,env}; it expands no variables, so the key is written
      // as it is (taken from this shell when set), in the user's own config folder.
      // https://modelcontextprotocol.io/quickstart/user
      const env: Record<string, string> = { ...model.literal };
      const notes: string[] = [];
      for (const variable of model.keys) {
        const fromShell = apiKeyProblem(vendorOf(variable), context.env) === null;
        env[variable] = fromShell ? context.env[variable]! : `<your ${variable}>`;
        notes.push(
          fromShell
            ? `${variable}: copied from your environment into the file`
            : `${variable}: not set here; put your key in place of <your ${variable}> in the file`,
        );
      }
      return serverList(
        host,
        claudeDesktopConfigFile(context),
        'mcpServers',
        { ...stdio, env },
        {
          notes,
          next: 'quit and reopen Claude Desktop; Baton\'s tools appear under "baton"',
        },
      );
    }
    case 'claude-code': {
      // Claude Code's project scope: .mcp.json at the project root, mcpServers.<name>, with ${VAR} and
      // ${VAR:-default} expanded from the environment Claude Code runs in (so no key is written to a file that is
      // shared). https://code.claude.com/docs/en/mcp
      const env = { ...model.literal, ...Object.fromEntries(model.keys.map((v) => [v, `\${${v}:-}`])) };
      return serverList(
        host,
        path.join(context.cwd, '.mcp.json'),
        'mcpServers',
        { type: 'stdio', ...stdio, env },
        {
          notes: model.keys.map((v) => `${v}: read from the environment Claude Code starts in`),
          next: `run claude in ${context.cwd} and approve the project server "baton" (check it with /mcp)`,
        },
      );
    }
    case 'vscode': {
      // VS Code: .vscode/mcp.json holds servers.<name> (type stdio) and inputs; a promptString input with
      // password: true asks for the key once and keeps it out of the file; ${input:id} refers to it.
      // https://code.visualstudio.com/docs/copilot/reference/mcp-configuration
      const inputs = model.keys.map((v) => ({
        type: 'promptString',
        id: inputId(v),
        description: `${v} for Baton's subagents`,
        password: true,
      }));
      const env = { ...model.literal, ...Object.fromEntries(model.keys.map((v) => [v, `\${input:${inputId(v)}}`])) };
      const file = path.join(context.cwd, '.vscode', 'mcp.json');
      return serverList(
        host,
        file,
        'servers',
        { type: 'stdio', ...stdio, env },
        {
          inputs,
          jsonc: true,
          notes: model.keys.map((v) => `${v}: VS Code asks for it when it first starts Baton`),
          next: 'open this folder in VS Code, start "baton" from .vscode/mcp.json (or the MCP: List Servers command)',
        },
      );
    }
    case 'cursor': {
      // Cursor: .cursor/mcp.json in the project (or ~/.cursor/mcp.json for every project), mcpServers.<name>, with
      // ${env:NAME} interpolated from Cursor's environment. https://cursor.com/docs/context/mcp
      const env = { ...model.literal, ...Object.fromEntries(model.keys.map((v) => [v, `\${env:${v}}`])) };
      return serverList(
        host,
        path.join(context.cwd, '.cursor', 'mcp.json'),
        'mcpServers',
        { ...stdio, env },
        {
          notes: model.keys.map((v) => `${v}: read from the environment Cursor starts in`),
          next: 'open this folder in Cursor and turn "baton" on in Settings → MCP',
        },
      );
    }
    default: {
      const unknown: never = host;
      throw new ConfigError(`unknown host ${String(unknown)}`);
    }
  }
}

/**
 * Claude Desktop's config file: ~/Library/Application Support/Claude on macOS, %APPDATA%\Claude on Windows, and
 * $XDG_CONFIG_HOME/Claude (~/.config/Claude) where Linux builds keep it.
 */
export function claudeDesktopConfigFile(context: Pick<HostContext, 'platform' | 'home' | 'env'>): string {
  const name = 'claude_desktop_config.json';
  if (context.platform === 'win32') {
    const appData = context.env.APPDATA || path.win32.join(context.home, 'AppData', 'Roaming');
    return path.win32.join(appData, 'Claude', name);
  }
  if (context.platform === 'darwin') {
    return path.posix.join(context.home, 'Library', 'Application Support', 'Claude', name);
  }
  return path.posix.join(context.env.XDG_CONFIG_HOME || path.posix.join(context.home, '.config'), 'Claude', name);
}

/** A server entry under `listKey` (and VS Code's inputs), merged into whatever the file already holds. */
function serverList(
  host: Host,
  file: string,
  listKey: 'mcpServers' | 'servers',
  entry: Record<string, unknown>,
  extra: { notes: string[]; next: string; inputs?: Array<{ id: string }>; jsonc?: boolean },
): HostConfig {
  const inputs = extra.inputs ?? [];
  return {
    host,
    file,
    jsonc: extra.jsonc ?? false,
    listKey,
    snippet: { ...(inputs.length > 0 ? { inputs } : {}), [listKey]: { [SERVER_NAME]: entry } },
    notes: extra.notes,
    next: extra.next,
    edits(document) {
      const list = document[listKey];
      if (list !== undefined && !isObject(list)) {
        throw new ConfigError(`${file}: "${listKey}" is not a JSON object; left the file untouched`);
      }
      const existing = document.inputs;
      if (inputs.length > 0 && existing !== undefined && !Array.isArray(existing)) {
        throw new ConfigError(`${file}: "inputs" is not a JSON array; left the file untouched`);
      }
      const known = new Set((existing as unknown[] | undefined)?.map((i) => (isObject(i) ? i.id : undefined)));
      const edits: JsonEdit[] =
        existing === undefined && inputs.length > 0
          ? [{ path: ['inputs'], value: inputs }]
          : inputs.filter((i) => !known.has(i.id)).map((i) => ({ path: ['inputs'], value: i, append: true }));
      edits.push({ path: [listKey, SERVER_NAME], value: entry });
      return edits;
    },
  };
}

/** The variables the entry sets: the key(s) of the model's provider, and the model itself. */
function modelVariables(context: HostContext): { keys: string[]; literal: Record<string, string> } {
  let provider: string;
  try {
    provider = parseModelSpec(context.model).provider;
  } catch (error) {
    throw new ConfigError(`invalid --model: ${errorMessage(error)}`, { cause: error });
  }
  const literal: Record<string, string> = { BATON_MODEL: context.model };
  // The host's own model through sampling needs no key.
  if (provider === 'sampling' || provider === 'inherit') return { keys: [], literal };
  if (provider === 'openai') {
    // Any OpenAI-compatible server: the base URL is no secret, so it is written as it is.
    literal.OPENAI_BASE_URL = context.env.OPENAI_BASE_URL || 'https://api.openai.com/v1';
    return { keys: [API_KEY_VARIABLES.openai], literal };
  }
  if (context.env.ANTHROPIC_BASE_URL) literal.ANTHROPIC_BASE_URL = context.env.ANTHROPIC_BASE_URL;
  return { keys: [API_KEY_VARIABLES.anthropic], literal };
}

function vendorOf(variable: string): 'anthropic' | 'openai' {
  return variable === API_KEY_VARIABLES.openai ? 'openai' : 'anthropic';
}

/** VS Code (and Visual Studio) input ids: letters, digits and underscores. */
function inputId(variable: string): string {
  return `baton_${variable.toLowerCase()}`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
