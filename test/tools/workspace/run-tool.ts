/** Runs one workspace tool directly, as the agent loop would, with a short Bash kill grace. */
import type { ToolOutput } from '../../../src/tools/agent-tool.js';
import { WORKSPACE_TOOLS, type Workspace } from '../../../src/tools/workspace/index.js';

export async function runTool(
  ws: Workspace,
  name: string,
  args: Record<string, unknown>,
  signal = new AbortController().signal,
): Promise<ToolOutput> {
  const kind = WORKSPACE_TOOLS.find((k) => k.name === name)!;
  const out = await kind.create(ws, { bash: { graceMs: 200 } }).execute(args, signal);
  return typeof out === 'string' ? { text: out } : out;
}
