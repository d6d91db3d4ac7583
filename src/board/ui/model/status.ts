/** How each status reads on the board: one table, so a new status is a compile error until it is described. */
import type { ShownStatus } from './task.js';

export interface StatusInfo {
  /** Shown next to the icon, and read by screen readers: never colour alone. */
  label: string;
  /** The verb of an announcement: "researcher completed …". */
  verb: string;
  /** Picks the colour (CSS `data-tone`). */
  tone: 'neutral' | 'active' | 'good' | 'bad' | 'warn' | 'muted';
}

export const STATUS_INFO: Record<ShownStatus, StatusInfo> = {
  pending: { label: 'Pending', verb: 'is waiting', tone: 'neutral' },
  in_progress: { label: 'Running', verb: 'started', tone: 'active' },
  completed: { label: 'Completed', verb: 'completed', tone: 'good' },
  failed: { label: 'Failed', verb: 'failed', tone: 'bad' },
  timed_out: { label: 'Timed out', verb: 'timed out on', tone: 'warn' },
  cancelled: { label: 'Cancelled', verb: 'was cancelled on', tone: 'muted' },
  unknown: { label: 'Unknown', verb: 'changed', tone: 'neutral' },
};
