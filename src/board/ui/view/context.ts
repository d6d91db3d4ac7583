/** What every part of the page may need, without threading it through each component. */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { BoardSource, Viewer } from '../source/board-source.js';

export interface BoardContextValue {
  source: BoardSource;
  viewer: Viewer | null;
  /** Opens or closes a task's row (its details and children). */
  toggle(taskId: string): void;
  setOpen(taskId: string, open: boolean): void;
  /** Says something in the live region (an action's outcome). */
  say(message: string): void;
  /** Puts keyboard focus on a task's row. */
  focusRow(taskId: string): void;
}

export const BoardContext = createContext<BoardContextValue | null>(null);

export function useBoard(): BoardContextValue {
  const value = useContext(BoardContext);
  if (!value) throw new Error('useBoard outside the board');
  return value;
}

/** The element id of a task's details region (the row's aria-controls). */
export const detailsId = (taskId: string): string => `details-${taskId}`;
