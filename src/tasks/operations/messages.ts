/** The inbox: send_message and read_inbox (SPEC §4, §6). */
import { z } from 'zod';
import { ReadInboxInputSchema, SendMessageInputSchema } from '../inputs.js';
import { InboxPageSchema } from '../views.js';
import { operation } from './operation.js';

export const sendMessage = operation({
  name: 'send_message',
  title: 'Send a message',
  description: "Send a message to an agent's inbox; a running subagent sees it before its next step.",
  agentDescription: "Send a message to another agent's inbox.",
  input: SendMessageInputSchema,
  output: z.object({ delivered_to: z.string(), seq: z.number().int(), created_at: z.string() }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
  async run(ctx, input) {
    const item = await ctx.tasks.sendMessage(ctx.caller, input);
    return { delivered_to: item.recipient, seq: item.seq, created_at: item.created_at };
  },
});

export const readInbox = operation({
  name: 'read_inbox',
  title: 'Read your inbox',
  description: 'Read your messages and task notifications in order; reading removes nothing.',
  agentDescription: 'Read your messages and task notifications.',
  input: ReadInboxInputSchema,
  output: InboxPageSchema,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  run: (ctx, input) => ctx.tasks.readInbox(ctx.caller, input),
});
