/** Writes agent definition files for tests. */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface AgentSpec {
  description?: string;
  model?: string;
  tool_scope?: 'isolated' | 'restricted' | 'shared';
  memory_scope?: 'isolated' | 'snapshot' | 'shared';
  max_steps?: number;
  max_retries?: number;
  budget_tokens?: number;
  budget_usd?: number;
  timeout_seconds?: number;
  tools?: string;
  disallowedTools?: string;
  /** Claude Code's `mcpServers:` as a comma-separated list of configured server names. */
  mcpServers?: string;
  body?: string;
}

/** Writes `<dir>/<id>.md` and returns its path. */
export async function writeAgent(dir: string, id: string, spec: AgentSpec = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const { body, description, ...fields } = spec;
  const lines = [`name: ${id}`, `description: ${description ?? `The ${id} agent.`}`];
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) lines.push(`${key}: ${value}`);
  const file = path.join(dir, `${id}.md`);
  await writeFile(file, `---\n${lines.join('\n')}\n---\n${body ?? `You are ${id}.`}\n`);
  return file;
}

/** The text of a definition file with `description` and extra frontmatter `fields` lines. */
export const agentFile = (description: string, fields = '') =>
  `---\ndescription: ${description}\n${fields}---\nPrompt.\n`;

/**
 * `n` bytes or more of frontmatter: one field `extra` holding keys `k0: 1`, `k1: 1`… (thousands of keys in one
 * map: YAML's slowest shape), or, with `topLevel`, those keys as fields of their own.
 */
export function manyKeys(n: number, topLevel = false): string {
  let text = topLevel ? '' : 'extra:\n';
  for (let i = 0; text.length < n; i++) text += `${topLevel ? '' : '  '}k${i}: 1\n`;
  return text;
}
