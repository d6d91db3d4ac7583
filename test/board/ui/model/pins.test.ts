import { describe, expect, it } from 'vitest';
import { buildForest } from '../../../../src/board/ui/model/forest.js';
import { pinnedTrees, taskIdsOf } from '../../../../src/board/ui/model/pins.js';
import { parseTask } from '../../../../src/board/ui/model/task.js';
import { boardTasks, IDS } from '../../fixtures.js';

describe('taskIdsOf', () => {
  it('finds the task ids in the linked tools’ arguments and results', () => {
    expect(taskIdsOf({ task_id: 'a' })).toEqual(['a']); // get_task input, subagent_dispatch result
    expect(taskIdsOf({ task_ids: ['a', 'b'], mode: 'all' })).toEqual(['a', 'b']); // wait_for_tasks input
    expect(taskIdsOf({ task: { id: 'c', root_task_id: 'r' }, children: [] })).toEqual(['c', 'r']); // get_task result
    expect(taskIdsOf({ done: true, tasks: [{ id: 'a' }, { id: 'b' }] })).toEqual(['a', 'b']); // wait_for_tasks result
    expect(taskIdsOf({ agent_id: 'researcher', task: 'a question' })).toEqual([]); // subagent_dispatch input
    expect(taskIdsOf(undefined)).toEqual([]);
  });
});

describe('pinnedTrees', () => {
  const tasks = new Map(boardTasks().map((wire) => [wire.id, parseTask(wire)!]));
  const forest = buildForest(tasks.values());

  it('keeps the whole tree of a pinned child, and every tree when nothing is pinned', () => {
    expect(pinnedTrees(forest, new Set([IDS.vscode]), tasks).map((node) => node.task.id)).toEqual([IDS.survey]);
    expect(pinnedTrees(forest, new Set(), tasks)).toHaveLength(forest.length);
  });

  it('leaves out a pinned tree it has not received yet', () => {
    expect(pinnedTrees(forest, new Set(['not-here-yet']), tasks)).toEqual([]);
  });
});
