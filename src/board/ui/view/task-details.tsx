/** A task opened: its description, parties and times, usage, payload, progress history, result or error, actions. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { BoardTask, Usage } from '../model/task.js';
import { formatClock, formatDuration } from '../model/time.js';
import { formatCost, formatTokens } from '../model/usage.js';
import { detailsId, useBoard } from './context.js';
import { ValueBlock } from './json-block.js';
import { TaskActions } from './task-actions.js';

export function TaskDetails({ task, subtasks }: { task: BoardTask; subtasks: number }) {
  const { viewer } = useBoard();
  const now = Date.now() + (viewer?.clockOffsetMs ?? 0);
  const clock = (ms: number | null) => formatClock(ms, now);
  const you = (agent: string) => (viewer && agent === viewer.id ? `${agent} (you)` : agent || '—');
  const attempts =
    task.attempts === null
      ? '—'
      : task.maxRetries === null
        ? String(task.attempts)
        : `${task.attempts} of ${task.maxRetries + 1}`;
  return (
    <section class="details" id={detailsId(task.id)} aria-label={`Details of ${task.description || task.id}`}>
      <div class="details-main">
        <p class="full-description">{task.description || '(no description)'}</p>
        {task.statusMessage && <p class="status-message">{task.statusMessage}</p>}
        {task.error && (
          <Section title="Error">
            <ValueBlock value={task.error} tone="bad" />
          </Section>
        )}
        {task.hasResult && (
          <Section title="Result">
            <ValueBlock value={task.result} />
          </Section>
        )}
        <Progress task={task} clock={clock} />
        {task.hasPayload && (
          <Section title="Payload">
            <ValueBlock value={task.payload} />
          </Section>
        )}
        <TaskActions task={task} subtasks={subtasks} />
      </div>
      <dl class="facts">
        <Fact term="Task">
          <code>{task.id}</code>
        </Fact>
        <Fact term="Delegated by">{you(task.delegatedBy)}</Fact>
        <Fact term="Assigned to">{you(task.assigneeId)}</Fact>
        <Fact term="Kind">{task.kind}</Fact>
        <Fact term="Priority">{task.priority ?? '—'}</Fact>
        <Fact term="Group">{task.group ?? '—'}</Fact>
        <Fact term="Created">{clock(task.createdAt)}</Fact>
        <Fact term="Started">{clock(task.startedAt)}</Fact>
        <Fact term="Deadline">
          {clock(task.deadline)}
          {task.timeoutSeconds !== null && <span class="muted"> ({formatDuration(task.timeoutSeconds * 1000)})</span>}
        </Fact>
        <Fact term="Finished">{clock(task.finishedAt)}</Fact>
        <Fact term="Attempts">{attempts}</Fact>
        {task.dependsOn.length > 0 && (
          <Fact term="Depends on">
            {task.dependsOn.map((id) => (
              <code key={id}>{id} </code>
            ))}
          </Fact>
        )}
        <Fact term="Tokens">{tokens(task.usage)}</Fact>
        <Fact term="Cost">{task.usage ? formatCost(task.usage.costUsd) : '—'}</Fact>
        {subtasks > 0 && <Fact term="With subtasks">{usageLine(task.usageTotal)}</Fact>}
      </dl>
    </section>
  );
}

/** The last few progress messages, newest last; all of them on request. */
const RECENT = 5;

function Progress({ task, clock }: { task: BoardTask; clock(ms: number | null): string }) {
  const [all, setAll] = useState(false);
  const entries = all ? task.progress : task.progress.slice(-RECENT);
  const hidden = task.progress.length - entries.length;
  return (
    <Section title={`Progress (${task.progress.length})`}>
      {task.progress.length === 0 ? (
        <p class="muted">No progress reported yet.</p>
      ) : (
        <ol class="history">
          {hidden > 0 && (
            <li>
              <button type="button" class="link" onClick={() => setAll(true)}>
                Show {hidden} earlier
              </button>
            </li>
          )}
          {entries.map((entry, index) => (
            <li key={hidden + index}>
              <time class="muted">{clock(entry.at)}</time> <span>{entry.message}</span>
              {entry.hasData && (
                <details>
                  <summary>Data</summary>
                  <ValueBlock value={entry.data} />
                </details>
              )}
            </li>
          ))}
        </ol>
      )}
    </Section>
  );
}

function Fact({ term, children }: { term: string; children: ComponentChildren }) {
  return (
    <div class="fact">
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <div class="section">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

/** "12.4k (9.1k in, 3.3k out, 2k cached)" or "—". */
function tokens(usage: Usage | null): string {
  if (!usage || usage.totalTokens === null) return '—';
  const parts = [
    usage.inputTokens !== null ? `${formatTokens(usage.inputTokens)} in` : null,
    usage.outputTokens !== null ? `${formatTokens(usage.outputTokens)} out` : null,
    usage.cacheReadTokens ? `${formatTokens(usage.cacheReadTokens)} cached` : null,
  ].filter(Boolean);
  return parts.length ? `${formatTokens(usage.totalTokens)} (${parts.join(', ')})` : formatTokens(usage.totalTokens);
}

function usageLine(usage: Usage | null): string {
  if (!usage) return '—';
  return `${formatTokens(usage.totalTokens)} tokens · ${formatCost(usage.costUsd)}`;
}
