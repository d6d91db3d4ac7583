import { describe, expect, it } from 'vitest';
import { announce, applyChanges, applySnapshot, EMPTY_BOARD } from '../../../../src/board/ui/model/board-data.js';

const wire = (id: string, seq: number, status = 'in_progress', extra: Record<string, unknown> = {}) => ({
  id,
  seq,
  status,
  assignee_id: 'researcher',
  description: `task ${id}`,
  ...extra,
});

describe('board data', () => {
  it('replaces everything with a snapshot and remembers its seq', () => {
    const data = applySnapshot(7, [wire('a', 3), wire('b', 7), { no: 'id' }]);
    expect([...data.tasks.keys()]).toEqual(['a', 'b']);
    expect(data).toMatchObject({ seq: 7, loaded: true });
    expect(EMPTY_BOARD.loaded).toBe(false);
  });

  it('applies a change and moves the seq on', () => {
    const start = applySnapshot(7, [wire('a', 3)]);
    const { data, changes } = applyChanges(start, 8, [wire('a', 8, 'completed')]);
    expect(data.tasks.get('a')?.status).toBe('completed');
    expect(data.seq).toBe(8);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.before?.status).toBe('in_progress');
  });

  it('drops a change it already has or an older one, so a task never moves backwards', () => {
    const start = applySnapshot(9, [wire('a', 9, 'completed')]);
    const repeated = applyChanges(start, 9, [wire('a', 9, 'completed')]);
    const older = applyChanges(start, 5, [wire('a', 5, 'in_progress')]);
    expect(repeated.changes).toEqual([]);
    expect(repeated.data).toBe(start);
    expect(older.data.tasks.get('a')?.status).toBe('completed');
    expect(older.data.seq).toBe(9);
  });

  it('orders by updated_at when a server sends no seq', () => {
    const start = applySnapshot(0, [{ id: 'a', status: 'completed', updated_at: '2026-12-01T12:00:05Z' }]);
    const older = applyChanges(start, null, [{ id: 'a', status: 'in_progress', updated_at: '2026-12-01T12:00:01Z' }]);
    expect(older.data.tasks.get('a')?.status).toBe('completed');
  });

  it('does not touch the data it was given', () => {
    const start = applySnapshot(1, [wire('a', 1)]);
    applyChanges(start, 2, [wire('b', 2)]);
    expect([...start.tasks.keys()]).toEqual(['a']);
  });
});

describe('announce', () => {
  it('tells of new tasks and status changes, not of progress', () => {
    const start = applySnapshot(1, [wire('a', 1)]);
    const { changes } = applyChanges(start, 3, [
      wire('a', 2, 'completed'),
      wire('b', 3),
      wire('a', 4, 'completed', { progress: [{ message: 'x' }] }),
    ]);
    expect(announce(changes)).toBe('researcher completed “task a”. New task for researcher: “task b”.');
    const progressOnly = applyChanges(applySnapshot(1, [wire('a', 1)]), 2, [
      wire('a', 2, 'in_progress', { progress: [{ message: 'x' }] }),
    ]);
    expect(announce(progressOnly.changes)).toBeNull();
  });

  it('counts instead of reading out a long batch, and cuts long descriptions', () => {
    const many = applyChanges(
      EMPTY_BOARD,
      5,
      [1, 2, 3, 4].map((n) => wire(`t${n}`, n)),
    );
    expect(announce(many.changes)).toBe('4 tasks changed.');
    const long = applyChanges(EMPTY_BOARD, 1, [wire('x', 1, 'pending', { description: 'word '.repeat(40) })]);
    expect(announce(long.changes)).toMatch(/^New task for researcher: “(word ){11}wo…”\.$/);
  });
});
