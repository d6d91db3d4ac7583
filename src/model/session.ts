/** A subagent conversation: what `session_id` continues, and the agent's notes (`remember` / `recall`). */
import { z } from 'zod';
import { ChatMessageSchema } from './chat-message.js';

export const SessionSchema = z.object({
  id: z.string(),
  agent_id: z.string(),
  /** Who started the conversation; only they may continue it. */
  owner: z.string(),
  messages: z.array(ChatMessageSchema),
  notes: z.record(z.string(), z.string()),
  /** With `memory_scope: shared`, the session whose notes this one uses live. */
  notes_from: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** The store's change sequence number of the last write (assigned by the store). */
  seq: z.number().int(),
});
export type Session = z.infer<typeof SessionSchema>;
