/**
 * An MCP `CallToolResult` as the model gets it back: text blocks and embedded text resources as text, images as
 * images, structured content as JSON when the server sent no text for it, and `isError` kept (MCP 2025-11-25 §tools).
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { ToolImage } from '../../providers/types.js';
import type { ToolOutput } from '../agent-tool.js';
import { capText } from '../limits.js';

/** Characters of an MCP result the model is shown. */
export const MAX_MCP_RESULT_CHARS = 100_000;
/** Base64 characters of one image (the Messages API takes at most 5 MB). */
const MAX_IMAGE_CHARS = 5_000_000;

export function toToolOutput(result: CallToolResult): ToolOutput {
  const parts: string[] = [];
  const images: ToolImage[] = [];
  for (const block of result.content ?? []) {
    switch (block.type) {
      case 'text':
        parts.push(block.text);
        break;
      case 'image':
        if (block.data.length <= MAX_IMAGE_CHARS) images.push({ mimeType: block.mimeType, data: block.data });
        else parts.push(`[an image (${block.mimeType}) too large to show]`);
        break;
      case 'audio':
        parts.push(`[audio (${block.mimeType}), which Baton cannot pass to the model]`);
        break;
      case 'resource': {
        const resource = block.resource;
        parts.push(
          'text' in resource ? `[resource ${resource.uri}]\n${resource.text}` : `[binary resource ${resource.uri}]`,
        );
        break;
      }
      case 'resource_link':
        parts.push(`[resource link ${block.uri}${block.name ? ` (${block.name})` : ''}]`);
        break;
      default:
        parts.push(`[${(block as { type: string }).type} content]`);
    }
  }
  // MCP: a tool with structured output SHOULD also send it as text; show it when it did not.
  if (result.structuredContent !== undefined && parts.length === 0)
    parts.push(JSON.stringify(result.structuredContent));
  const text = capText(parts.join('\n') || (images.length ? '' : '(no output)'), MAX_MCP_RESULT_CHARS);
  return { text, ...(images.length ? { images } : {}), ...(result.isError ? { isError: true } : {}) };
}
