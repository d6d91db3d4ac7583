/** Filters by status, agent and group, and the search over descriptions (SPEC §12). */
import type { BoardFilter, Facets } from '../model/filters.js';
import { isFiltering, NO_FILTER, offeredStatuses } from '../model/filters.js';
import { STATUS_INFO } from '../model/status.js';
import type { ShownStatus, Usage } from '../model/task.js';
import { usageSummary } from '../model/usage.js';
import { StatusIcon } from './icons.js';

export interface ToolbarProps {
  filter: BoardFilter;
  facets: Facets;
  shown: number;
  total: number;
  usage: Usage | null;
  onChange(filter: BoardFilter): void;
}

export function Toolbar({ filter, facets, shown, total, usage, onChange }: ToolbarProps) {
  const toggleStatus = (status: ShownStatus) => {
    const statuses = new Set(filter.statuses);
    if (statuses.has(status)) statuses.delete(status);
    else statuses.add(status);
    onChange({ ...filter, statuses });
  };
  const totalUsage = usageSummary(usage);
  return (
    <div class="toolbar" role="search" aria-label="Filter tasks">
      <div class="filters">
        <div class="field search-field">
          <label for="search" class="visually-hidden">
            Search descriptions
          </label>
          <input
            id="search"
            type="search"
            placeholder="Search descriptions"
            autocomplete="off"
            value={filter.text}
            onInput={(event) => onChange({ ...filter, text: event.currentTarget.value })}
          />
        </div>
        <div class="field">
          <label for="agent">Agent</label>
          <select
            id="agent"
            value={filter.agent ?? ''}
            onChange={(event) => onChange({ ...filter, agent: event.currentTarget.value || null })}
          >
            <option value="">All agents</option>
            {facets.agents.map((agent) => (
              <option key={agent} value={agent}>
                {agent}
              </option>
            ))}
          </select>
        </div>
        {(facets.groups.length > 0 || filter.group !== null) && (
          <div class="field">
            <label for="group">Group</label>
            <select
              id="group"
              value={filter.group ?? ''}
              onChange={(event) => onChange({ ...filter, group: event.currentTarget.value || null })}
            >
              <option value="">All groups</option>
              {facets.groups.map((group) => (
                <option key={group} value={group}>
                  {group}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      <div class="statuses" role="group" aria-label="Status">
        {offeredStatuses(facets.counts).map((status) => (
          <button
            key={status}
            type="button"
            class="chip"
            data-status={status}
            data-tone={STATUS_INFO[status].tone}
            aria-pressed={filter.statuses.has(status) ? 'true' : 'false'}
            onClick={() => toggleStatus(status)}
          >
            <StatusIcon status={status} />
            {STATUS_INFO[status].label}
            <span class="count">{facets.counts[status]}</span>
          </button>
        ))}
        {isFiltering(filter) && (
          <button type="button" class="button quiet" onClick={() => onChange(NO_FILTER)}>
            Clear filters
          </button>
        )}
        <p class="tally muted">
          {shown === total ? `${total} tree${total === 1 ? '' : 's'}` : `${shown} of ${total} trees`}
          {totalUsage && <span> · {totalUsage}</span>}
        </p>
      </div>
    </div>
  );
}
