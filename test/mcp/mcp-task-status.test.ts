/**
 * Baton's statuses in MCP Tasks terms (issue 9, item 7): one row per status, so that every ended task is a terminal
 * MCP task (a status falling through to `working` would leave a plain dispatch polling forever) and every live one
 * is `working`. A status without a row does not compile.
 */
import { describe, expect, it } from 'vitest';
import { toMcpTask } from '../../src/mcp/mcp-task-store.js';
import { TASK_STATUSES, isTerminal } from '../../src/model/task.js';
import { task } from '../helpers/records.js';

const MCP_TERMINAL = new Set(['completed', 'failed', 'cancelled']);

describe('toMcpTask', () => {
  it.each(TASK_STATUSES)('maps %s to an MCP status that is terminal exactly when it is', (status) => {
    const mcp = toMcpTask(task('t', { status }));
    expect(MCP_TERMINAL.has(mcp.status) || mcp.status === 'working').toBe(true);
    expect(MCP_TERMINAL.has(mcp.status)).toBe(isTerminal(status));
  });

  it('keeps the kind of ending: completed, cancelled, and the failures (timed out included)', () => {
    expect(
      ['completed', 'cancelled', 'failed', 'timed_out'].map((s) => toMcpTask(task('t', { status: s as never })).status),
    ).toEqual(['completed', 'cancelled', 'failed', 'failed']);
  });
});
