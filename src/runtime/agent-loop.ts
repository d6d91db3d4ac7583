/**
 * The subagent loop: up to `maxSteps` model turns; the tool calls of each turn run and their results (or error
 * text) go back to the model; a turn without tool calls is the final answer (SPEC §8).
 */
import { AgentError, CancelledError, errorMessage } from '../errors.js';
import type { ChatMessage, ModelProvider, ModelResponse, ToolCall } from '../providers/types.js';
import type { AgentTool } from '../tools/agent-tool.js';

export interface LoopStep {
  step: number;
  maxSteps: number;
  message: string;
}

export interface AgentLoopOptions {
  provider: ModelProvider;
  model: string;
  system: string;
  /** The conversation so far, ending with the new user message. */
  messages: ChatMessage[];
  /** The tools, or a function read before each turn (an MCP server's tool list may change during a run). */
  tools: AgentTool[] | (() => AgentTool[]);
  maxSteps: number;
  signal: AbortSignal;
  /** Called with each step, for progress. */
  onStep?: (step: LoopStep) => void;
  /** Called before each model turn after the first; returns messages to add (e.g. new inbox items). */
  beforeTurn?: () => Promise<ChatMessage[]>;
  /** Calls one model turn; default `provider.complete` (the runtime wraps it with retries). */
  complete?: (provider: ModelProvider, request: Parameters<ModelProvider['complete']>[0]) => Promise<ModelResponse>;
  /** True once the run's task has been finished by one of its tools (complete_task / fail_task): stop there. */
  finished?: () => Promise<boolean>;
}

export interface LoopOutcome {
  text: string;
  /** The whole conversation, including this run's turns: the session history. */
  messages: ChatMessage[];
  steps: number;
}

/** The model used every step without a final answer: its behaviour, not the caller's input. */
export class StepLimitError extends AgentError {
  constructor(maxSteps: number) {
    super('max_steps', `the agent used all ${maxSteps} steps without giving a final answer`);
  }
}

export async function runAgentLoop(options: AgentLoopOptions): Promise<LoopOutcome> {
  const { provider, model, system, maxSteps, signal } = options;
  const messages = [...options.messages];
  const complete = options.complete ?? ((p, r) => p.complete(r));
  const currentTools = typeof options.tools === 'function' ? options.tools : () => options.tools as AgentTool[];
  for (let step = 1; step <= maxSteps; step++) {
    if (signal.aborted) throw new CancelledError();
    if (step > 1 && options.beforeTurn) messages.push(...(await options.beforeTurn()));
    options.onStep?.({ step, maxSteps, message: `step ${step}/${maxSteps}: thinking` });
    const tools = currentTools();
    const byName = new Map(tools.map((t) => [t.spec.name, t]));
    const response = await complete(provider, { model, system, messages, tools: tools.map((t) => t.spec), signal });
    messages.push({
      role: 'assistant',
      content: response.text,
      ...(response.toolCalls.length > 0 ? { toolCalls: response.toolCalls } : {}),
    });
    if (response.toolCalls.length === 0) return { text: response.text, messages, steps: step };
    for (const call of response.toolCalls) {
      const said = byName.get(call.name)?.progress?.(call.arguments) ?? call.name;
      options.onStep?.({ step, maxSteps, message: `step ${step}/${maxSteps}: ${said}` });
      messages.push(await runTool(byName, call, signal));
    }
    if (await options.finished?.()) return { text: response.text, messages, steps: step };
  }
  throw new StepLimitError(maxSteps);
}

async function runTool(byName: Map<string, AgentTool>, call: ToolCall, signal: AbortSignal): Promise<ChatMessage> {
  const tool = byName.get(call.name);
  const base = { role: 'tool' as const, toolCallId: call.id, name: call.name };
  if (!tool) {
    return {
      ...base,
      isError: true,
      content: `unknown tool ${call.name}; available: ${[...byName.keys()].join(', ') || 'none'}`,
    };
  }
  try {
    const output = await tool.execute(call.arguments, signal);
    if (typeof output === 'string') return { ...base, content: output };
    return {
      ...base,
      content: output.text,
      ...(output.isError ? { isError: true } : {}),
      ...(output.images?.length ? { images: output.images } : {}),
    };
  } catch (error) {
    if (signal.aborted) throw new CancelledError();
    return { ...base, isError: true, content: errorMessage(error) };
  }
}
