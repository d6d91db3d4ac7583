/** Turns a tool's outcome into an MCP result: structured content on success, an `isError` result for bad calls. */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { InputError } from '../errors.js';

/**
 * Runs a tool body. The caller's mistakes (`InputError`) become `isError` results that say what to fix;
 * anything else is unexpected and is thrown for the SDK to report.
 */
export async function toolResult<T extends object>(body: () => Promise<T>): Promise<CallToolResult> {
  try {
    const structured = await body();
    return {
      content: [{ type: 'text', text: JSON.stringify(structured) }],
      structuredContent: structured as Record<string, unknown>,
    };
  } catch (error) {
    if (error instanceof InputError) return errorResult(error.message);
    throw error;
  }
}

export function errorResult(message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: message }] };
}
