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
