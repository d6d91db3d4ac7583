/**
 * The task trees. Each task is a list item whose row is a disclosure button (aria-expanded) for its details and
 * children; the lists nest as the trees do, so screen readers tell the level. The rows form one tab stop, and
 * the arrow keys move as in a tree: up and down, right opens (or goes to the first child), left closes (or goes
 * to the parent), Home and End.
 */
import type { TargetedKeyboardEvent } from 'preact';
import { useState } from 'preact/hooks';
import type { VisibleNode } from '../model/filters.js';
import { STATUS_INFO } from '../model/status.js';
import { isTerminal, latestProgress } from '../model/task.js';
import type { BoardTask } from '../model/task.js';
import { describeTiming, timing } from '../model/time.js';
import { usageSummary } from '../model/usage.js';
import { detailsId, useBoard } from './context.js';
import { ChevronIcon, StatusIcon } from './icons.js';
import { TaskDetails } from './task-details.js';
import { useNow } from './use-now.js';

export interface ForestProps {
  nodes: VisibleNode[];
  open: ReadonlySet<string>;
  /** With a filter on, branches leading to a match show without being opened. */
  filtering: boolean;
  showUsage: boolean;
}

const ROW = 'button[data-row]';

export function TaskForest({ nodes, open, filtering, showUsage }: ForestProps) {
  const { setOpen } = useBoard();
  const [focused, setFocused] = useState<string | null>(null);
  const ids = new Set<string>();
  const collect = (list: VisibleNode[]) => {
    for (const node of list) {
      ids.add(node.task.id);
      if (open.has(node.task.id) || filtering) collect(node.children);
    }
  };
  collect(nodes);
  const tabbable = focused !== null && ids.has(focused) ? focused : (nodes[0]?.task.id ?? null);

  const onKeyDown = (event: TargetedKeyboardEvent<HTMLUListElement>) => {
    const row = (event.target as HTMLElement).closest<HTMLButtonElement>(ROW);
    if (!row || event.altKey || event.ctrlKey || event.metaKey) return;
    const rows = [...event.currentTarget.querySelectorAll<HTMLButtonElement>(ROW)];
    const index = rows.indexOf(row);
    const id = row.dataset.row ?? '';
    const parentRow = row.closest('li')?.parentElement?.closest('li')?.querySelector<HTMLButtonElement>(ROW);
    let next: HTMLButtonElement | null | undefined = null;
    switch (event.key) {
      case 'ArrowDown':
        next = rows[index + 1];
        break;
      case 'ArrowUp':
        next = rows[index - 1];
        break;
      case 'Home':
        next = rows[0];
        break;
      case 'End':
        next = rows[rows.length - 1];
        break;
      case 'ArrowRight':
        if (row.getAttribute('aria-expanded') === 'false') setOpen(id, true);
        else next = row.closest('li')?.querySelector<HTMLButtonElement>(`:scope > ul ${ROW}`);
        break;
      case 'ArrowLeft':
        if (row.getAttribute('aria-expanded') === 'true') setOpen(id, false);
        else next = parentRow;
        break;
      default:
        return;
    }
    event.preventDefault();
    next?.focus();
  };

  return (
    <ul class={filtering ? 'forest filtering' : 'forest'} aria-label="Task trees" onKeyDown={onKeyDown}>
      {nodes.map((node) => (
        <TaskItem
          key={node.task.id}
          node={node}
          level={1}
          open={open}
          filtering={filtering}
          showUsage={showUsage}
          tabbable={tabbable}
          onFocusRow={setFocused}
        />
      ))}
    </ul>
  );
}

interface ItemProps {
  node: VisibleNode;
  level: number;
  open: ReadonlySet<string>;
  filtering: boolean;
  showUsage: boolean;
  tabbable: string | null;
  onFocusRow(id: string): void;
}

function TaskItem({ node, level, open, filtering, showUsage, tabbable, onFocusRow }: ItemProps) {
  const { task } = node;
  const isOpen = open.has(task.id);
  const showChildren = node.children.length > 0 && (isOpen || filtering);
  return (
    <li class={level === 1 ? 'task tree' : 'task'} data-task-id={task.id} data-match={node.match ? 'true' : 'false'}>
      <TaskRow
        task={task}
        open={isOpen}
        total={node.total}
        ended={node.ended}
        context={!node.match}
        showUsage={showUsage}
        tabbable={tabbable === task.id}
        onFocusRow={onFocusRow}
      />
      {isOpen && <TaskDetails task={task} subtasks={node.total} />}
      {showChildren && (
        <ul class="children">
          {node.children.map((child) => (
            <TaskItem
              key={child.task.id}
              node={child}
              level={level + 1}
              open={open}
              filtering={filtering}
              showUsage={showUsage}
              tabbable={tabbable}
              onFocusRow={onFocusRow}
            />
          ))}
        </ul>
      )}
    </li>
  );
}

interface RowProps {
  task: BoardTask;
  open: boolean;
  total: number;
  ended: number;
  context: boolean;
  showUsage: boolean;
  tabbable: boolean;
  onFocusRow(id: string): void;
}

/** One row: the disclosure button of a task. */
function TaskRow({ task, open, total, ended, context, showUsage, tabbable, onFocusRow }: RowProps) {
  const { toggle, viewer } = useBoard();
  const info = STATUS_INFO[task.status];
  const progress = latestProgress(task);
  const usage = usageSummary(task.usageTotal ?? task.usage);
  return (
    <button
      type="button"
      class={context ? 'row context' : 'row'}
      data-row={task.id}
      data-status={task.status}
      aria-expanded={open ? 'true' : 'false'}
      aria-controls={open ? detailsId(task.id) : undefined}
      tabIndex={tabbable ? 0 : -1}
      onClick={() => toggle(task.id)}
      onFocus={() => onFocusRow(task.id)}
    >
      <ChevronIcon />
      <span class="status" data-tone={info.tone}>
        <StatusIcon status={task.status} />
        <span class="status-label">{info.label}</span>
      </span>
      <span class="summary">
        <span class="description">{task.description || '(no description)'}</span>
        {context && <span class="visually-hidden"> (does not match; tasks under it do)</span>}
        <span class="progress">
          {total > 0 && (
            <span class="subtasks">
              {ended} of {total} subtask{total === 1 ? '' : 's'} ended
            </span>
          )}
          {progress && <span class="latest">{progress}</span>}
        </span>
      </span>
      <span class="agent">
        <span class="visually-hidden">Assigned to </span>
        {task.assigneeId || '—'}
        {viewer && task.delegatedBy === viewer.id && task.assigneeId !== viewer.id && (
          <span class="visually-hidden">, delegated by you</span>
        )}
      </span>
      <Elapsed task={task} offsetMs={viewer?.clockOffsetMs ?? 0} />
      {showUsage && <span class="usage">{usage ?? '—'}</span>}
    </button>
  );
}

function Elapsed({ task, offsetMs }: { task: BoardTask; offsetMs: number }) {
  const now = useNow(!isTerminal(task.status), offsetMs);
  const t = timing(task, now);
  const level = t.phase === 'overdue' ? 'over' : t.fraction !== null && t.fraction >= 0.8 ? 'late' : 'ok';
  return (
    <span class="elapsed" data-phase={t.phase} data-level={level}>
      <span class="elapsed-text">{describeTiming(t)}</span>
      {t.fraction !== null && (
        <span class="bar" aria-hidden="true">
          <span class="bar-fill" style={{ '--fraction': String(t.fraction) }} />
        </span>
      )}
    </span>
  );
}
