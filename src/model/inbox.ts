/** An agent's inbox item: a task notification or a message (SPEC §6). */
import { z } from 'zod';

/** SPEC §6: the events that land in an agent's inbox. */
export const INBOX_EVENTS = [
  'task.notification.assigned',
  'task.notification.progress',
  'task.notification.completed',
  'task.notification.failed',
  'task.notification.timeout',
  'task.notification.cancelled',
  'message.received',
] as const;
export const InboxEventSchema = z.enum(INBOX_EVENTS);
export type InboxEvent = z.infer<typeof InboxEventSchema>;

export const InboxItemSchema = z.object({
  /** The store's change sequence number of this item: the inbox cursor (increasing per recipient). */
  seq: z.number().int(),
  recipient: z.string(),
  event: InboxEventSchema,
  from: z.string().nullable(),
  task_id: z.string().nullable(),
  /** Message text, progress message, error or status message, depending on the event. */
  content: z.string().nullable(),
  data: z.unknown().optional(),
  created_at: z.string(),
});
export type InboxItem = z.infer<typeof InboxItemSchema>;

/** An inbox item before the store gives it its sequence number. */
export type NewInboxItem = Omit<InboxItem, 'seq'>;
