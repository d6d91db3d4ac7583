/** Reads `baton.config.json` (from `--config` or the working directory) and the token file, then validates. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Config, McpConfigFile, RawFlags } from '../config.js';
import { parseConfig, parseTokens } from '../config.js';
import { ConfigError, errorMessage } from '../errors.js';

/** The validated configuration for these flags, in this environment. */
export function loadConfig(flags: RawFlags, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const explicit = typeof flags.config === 'string' ? path.resolve(cwd, flags.config) : null;
  const file = explicit ?? path.join(cwd, 'baton.config.json');
  let parsed: Record<string, unknown> | null = null;
  if (explicit !== null || existsSync(file)) {
    const value = readJson(file, 'config file');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new ConfigError(`config file ${file}: expected a JSON object`);
    }
    parsed = value as Record<string, unknown>;
  }
  return parseConfig(flags, env, parsed, mcpConfigFiles(flags.mcpConfig, cwd));
}

/** The `--mcp-config FILE` files (repeatable), read and parsed; a missing or broken one stops start-up. */
function mcpConfigFiles(raw: unknown, cwd: string): McpConfigFile[] {
  const files = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return files.map((file) => {
    const resolved = path.resolve(cwd, file);
    return { source: resolved, value: readJson(resolved, 'MCP config file') };
  });
}

/** The token → agent id map of `--tokens`, or null without one. */
export function loadTokens(config: Config): Map<string, string> | null {
  if (config.tokens === null) return null;
  return parseTokens(readJson(config.tokens, 'token file'), config.tokens);
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read ${what} ${file}: ${errorMessage(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${what} ${file} is not valid JSON: ${errorMessage(error)}`);
  }
}
