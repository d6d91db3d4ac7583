import { describe, expect, it } from 'vitest';
import { latestProgress, parseTask, parseUsage } from '../../../../src/board/ui/model/task.js';
import { boardTasks, IDS } from '../../fixtures.js';

describe('parseTask', () => {
  it('reads a full task from the wire into the board shape', () => {
    const wire = boardTasks(Date.parse('2026-12-01T12:00:00Z')).find((task) => task.id === IDS.survey)!;
    const task = parseTask(wire)!;
    expect(task).toMatchObject({
      id: IDS.survey,
      delegatedBy: 'host',
      assigneeId: 'researcher',
      status: 'in_progress',
      group: 'apps-survey',
      priority: 'high',
      parentId: null,
      rootId: IDS.survey,
      hasPayload: true,
      timeoutSeconds: 600,
    });
    expect(task.createdAt).toBe(Date.parse(String(wire.created_at)));
    expect(task.deadline).toBe(Date.parse(String(wire.deadline)));
    expect(task.progress).toHaveLength(3);
    expect(task.usageTotal).toEqual({
      inputTokens: 61_400,
      outputTokens: 9_870,
      cacheReadTokens: 31_000,
      cacheWriteTokens: 0,
      totalTokens: 71_270,
      costUsd: 0.262,
    });
  });

  it('keeps going on a task with only an id: every other field has a safe default', () => {
    const task = parseTask({ id: 'x' })!;
    expect(task).toMatchObject({
      id: 'x',
      status: 'unknown',
      description: '',
      rootId: 'x',
      parentId: null,
      createdAt: null,
      deadline: null,
      progress: [],
      dependsOn: [],
      hasPayload: false,
      hasResult: false,
      usage: null,
      usageTotal: null,
      seq: null,
    });
  });

  it('turns malformed fields into "unknown" instead of throwing', () => {
    const task = parseTask({
      id: 'x',
      status: 'exploded',
      created_at: 'yesterday-ish',
      progress: [null, { message: 'ok', at: 42 }, 'text'],
      depends_on: ['a', 7, null],
      usage: { total_tokens: 'many' },
      depth: Number.NaN,
    })!;
    expect(task.status).toBe('unknown');
    expect(task.createdAt).toBeNull();
    expect(task.progress).toEqual([{ at: null, message: 'ok', data: undefined, hasData: false }]);
    expect(task.dependsOn).toEqual(['a']);
    expect(task.usage).toBeNull();
    expect(task.depth).toBe(0);
  });

  it('refuses what cannot be a task: no id, not an object', () => {
    expect(parseTask({ description: 'no id' })).toBeNull();
    expect(parseTask({ id: '' })).toBeNull();
    expect(parseTask(null)).toBeNull();
    expect(parseTask(['id'])).toBeNull();
  });
});

describe('parseUsage', () => {
  it('adds the total when only input and output are given, and keeps an unknown cost null', () => {
    expect(parseUsage({ input_tokens: 100, output_tokens: 20, cost_usd: null })).toMatchObject({
      totalTokens: 120,
      costUsd: null,
    });
  });
});

describe('latestProgress', () => {
  it('is the newest progress message, else the status message', () => {
    const base = { id: 'x', status: 'in_progress', status_message: 'queued' };
    expect(latestProgress(parseTask(base)!)).toBe('queued');
    const withProgress = {
      ...base,
      progress: [
        { at: '', message: 'one' },
        { at: '', message: 'two' },
      ],
    };
    expect(latestProgress(parseTask(withProgress)!)).toBe('two');
    expect(latestProgress(parseTask({ id: 'x' })!)).toBeNull();
  });
});
