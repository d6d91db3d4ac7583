import { describe, expect, it } from 'vitest';
import {
  facets,
  filterForest,
  isFiltering,
  NO_FILTER,
  offeredStatuses,
  taskMatches,
} from '../../../../src/board/ui/model/filters.js';
import type { BoardFilter, VisibleNode } from '../../../../src/board/ui/model/filters.js';
import { buildForest } from '../../../../src/board/ui/model/forest.js';
import { parseTask } from '../../../../src/board/ui/model/task.js';
import { boardTasks, IDS } from '../../fixtures.js';

const tasks = boardTasks(Date.parse('2026-12-01T12:00:00Z')).map((wire) => parseTask(wire)!);
const forest = buildForest(tasks);
const filter = (overrides: Partial<BoardFilter>): BoardFilter => ({ ...NO_FILTER, ...overrides });
const shown = (nodes: VisibleNode[]): string[] => nodes.flatMap((node) => [node.task.id, ...shown(node.children)]);
const matched = (nodes: VisibleNode[]): string[] =>
  nodes.flatMap((node) => [...(node.match ? [node.task.id] : []), ...matched(node.children)]);

describe('filterForest', () => {
  it('shows every task when nothing is filtered, with subtask counts', () => {
    const visible = filterForest(forest, NO_FILTER);
    expect(shown(visible)).toHaveLength(tasks.length);
    const survey = visible.find((node) => node.task.id === IDS.survey)!;
    expect(survey).toMatchObject({ total: 4, ended: 1, match: true });
  });

  it('keeps a matching child with its root as context, and drops trees without a match', () => {
    const visible = filterForest(forest, filter({ statuses: new Set(['completed']) }));
    expect(matched(visible).sort()).toEqual([IDS.claude, IDS.jsonFlag].sort());
    expect(shown(visible)).toEqual([IDS.survey, IDS.claude, IDS.jsonFlag]);
    expect(visible[0]!.match).toBe(false);
  });

  it('filters by agent as assignee or delegator, and by group', () => {
    expect(matched(filterForest(forest, filter({ agent: 'web-reader' })))).toEqual([
      IDS.claude,
      IDS.vscode,
      IDS.cursor,
    ]);
    // bob delegated one task to host: bob is its delegator.
    expect(matched(filterForest(forest, filter({ agent: 'bob' })))).toEqual([IDS.translate]);
    expect(matched(filterForest(forest, filter({ group: 'cli' })))).toEqual([IDS.jsonFlag, IDS.e2e]);
  });

  it('searches descriptions for every word, in any case and accents, and ids by prefix', () => {
    expect(matched(filterForest(forest, filter({ text: 'vs CODE documentation' })))).toEqual([IDS.vscode]);
    expect(matched(filterForest(forest, filter({ text: 'trânslate' })))).toEqual([IDS.translate]);
    expect(matched(filterForest(forest, filter({ text: 't-review' })))).toEqual([IDS.review]);
    expect(filterForest(forest, filter({ text: 'nothing like this' }))).toEqual([]);
  });

  it('combines filters: all must hold', () => {
    const both = filter({ statuses: new Set(['in_progress']), agent: 'web-reader' });
    expect(matched(filterForest(forest, both))).toEqual([IDS.vscode]);
    expect(
      taskMatches(
        tasks.find((task) => task.id === IDS.claude)!,
        both,
      ),
    ).toBe(false);
  });

  it('knows when it filters: blank search text does not count', () => {
    expect(isFiltering(filter({ text: '   ' }))).toBe(false);
    expect(isFiltering(filter({ group: 'cli' }))).toBe(true);
  });
});

describe('facets', () => {
  it('offers every agent and group on the board and counts each status', () => {
    const found = facets(tasks);
    expect(found.agents).toEqual([
      'bob',
      'coder',
      'host',
      'researcher',
      'reviewer',
      'summarizer',
      'tester',
      'web-reader',
    ]);
    expect(found.groups).toEqual(['apps-survey', 'cli']);
    expect(found.counts).toMatchObject({
      pending: 2,
      in_progress: 3,
      completed: 2,
      failed: 1,
      timed_out: 1,
      cancelled: 1,
      unknown: 0,
    });
    expect(offeredStatuses(found.counts)).not.toContain('unknown');
    expect(offeredStatuses(facets([parseTask({ id: 'x', status: 'new' })!]).counts)).toContain('unknown');
  });
});
