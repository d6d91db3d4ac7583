/**
 * A tool a subagent may call, whatever it comes from: Baton's own, a workspace tool, an MCP server's. The runtime
 * puts one list of these together per run; the agent loop offers their specs to the model and runs the calls.
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import type { ToolImage, ToolSpec } from '../providers/types.js';

/** What a tool call gives back to the model: text, images, and whether it is an error the model should see. */
export interface ToolOutput {
  text: string;
  images?: ToolImage[];
  isError?: boolean;
}

/** `execute` returns text (or a `ToolOutput`); a thrown error's message goes back to the model as an error. */
export interface AgentTool {
  spec: ToolSpec;
  execute(args: Record<string, unknown>, signal: AbortSignal): Promise<string | ToolOutput>;
  /** What a call says about the run's progress (report_task_progress: its message); else the tool's name is shown. */
  progress?(args: Record<string, unknown>): string | undefined;
}

/** A tool from a zod schema: the model sees its JSON Schema; arguments are validated before `run`. */
export function tool<S extends z.ZodObject>(
  name: string,
  description: string,
  schema: S,
  run: (args: z.infer<S>, signal: AbortSignal) => Promise<string | ToolOutput>,
): AgentTool {
  const spec: ToolSpec = { name, description, inputSchema: jsonSchemaOf(schema) };
  return {
    spec,
    async execute(raw, signal) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new InputError(
          'invalid_input',
          `invalid arguments for ${name}: ${issue?.path.join('.') || 'input'}: ${issue?.message}`,
        );
      }
      return run(parsed.data, signal);
    },
  };
}

/** JSON Schemas by zod schema: converting costs ~0.1 ms a tool, and every run offers the same tools. */
const jsonSchemas = new WeakMap<z.ZodType, Record<string, unknown>>();

function jsonSchemaOf(schema: z.ZodType): Record<string, unknown> {
  let json = jsonSchemas.get(schema);
  if (!json) jsonSchemas.set(schema, (json = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>));
  return json;
}
