import { describe, expect, it } from 'vitest';
import { buildForest, descendantCount, walk } from '../../../../src/board/ui/model/forest.js';
import type { TreeNode } from '../../../../src/board/ui/model/forest.js';
import { parseTask } from '../../../../src/board/ui/model/task.js';
import type { BoardTask } from '../../../../src/board/ui/model/task.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 1, 12, minute)).toISOString();
const task = (id: string, minute: number, parent: string | null = null): BoardTask =>
  parseTask({ id, created_at: at(minute), parent_task_id: parent, status: 'in_progress' })!;
const shape = (nodes: TreeNode[]): unknown => nodes.map((node) => [node.task.id, shape(node.children)]);

describe('buildForest', () => {
  it('puts the newest root first and children in the order they were created', () => {
    const forest = buildForest([
      task('old', 1),
      task('new', 5),
      task('c2', 7, 'new'),
      task('c1', 6, 'new'),
      task('g', 8, 'c1'),
    ]);
    expect(shape(forest)).toEqual([
      [
        'new',
        [
          ['c1', [['g', []]]],
          ['c2', []],
        ],
      ],
      ['old', []],
    ]);
    expect(descendantCount(forest[0]!)).toBe(3);
  });

  it('shows a task whose parent is not on the board as a root of its own', () => {
    const forest = buildForest([task('child', 2, 'hidden-parent'), task('root', 1)]);
    expect(shape(forest)).toEqual([
      ['child', []],
      ['root', []],
    ]);
  });

  it('places every task once even when parents form a cycle', () => {
    const forest = buildForest([task('a', 1, 'b'), task('b', 2, 'a'), task('self', 3, 'self')]);
    const ids = [...walk(forest)].map((node) => node.task.id).sort();
    expect(ids).toEqual(['a', 'b', 'self']);
  });

  it('orders tasks without a creation time last, and ties by id', () => {
    const undated = parseTask({ id: 'undated' })!;
    expect(shape(buildForest([undated, task('b', 1), task('a', 1)]))).toEqual([
      ['a', []],
      ['b', []],
      ['undated', []],
    ]);
  });
});
