/** Tokens and cost as `baton tasks` and `baton task` print them (SPEC §5): "-" for none, "?" for unknown. */
import type { Task } from '../model/task.js';
import type { Spend } from '../model/usage.js';

/** The tokens of a spend: "1,234", "-" with no model call, "?" when calls reported none. */
export function tokensText(spend: Spend): string {
  if (spend.calls === 0) return '-';
  return spend.total_tokens === null ? '?' : spend.total_tokens.toLocaleString('en-US');
}

/** The cost of a spend: "$0.0123", "-" with no model call, "?" when a call has no price. */
export function costText(spend: Spend): string {
  if (spend.calls === 0) return '-';
  return spend.cost_usd === null ? '?' : `$${Number(spend.cost_usd.toPrecision(4))}`;
}

/** One line on a spend: "6,853 tokens (6,230 in, 400 of them cached; 623 out) in 7 calls, $0.01226". */
export function spendLine(spend: Spend): string {
  if (spend.calls === 0) return 'no model calls';
  const count = (n: number | null) => (n === null ? '?' : n.toLocaleString('en-US'));
  const cache = [
    spend.cache_read_tokens ? `${count(spend.cache_read_tokens)} read from the cache` : '',
    spend.cache_write_tokens ? `${count(spend.cache_write_tokens)} written to it` : '',
  ].filter(Boolean);
  const input = `${count(spend.input_tokens)} in${cache.length > 0 ? `, ${cache.join(', ')}` : ''}`;
  const calls = `${spend.calls} call${spend.calls === 1 ? '' : 's'}`;
  return `${tokensText(spend)} tokens (${input}; ${count(spend.output_tokens)} out) in ${calls}, cost ${costText(spend)}`;
}

/** The lines `baton task` shows about usage and budgets. */
export function usageLines(task: Task): string[] {
  const budgets = [
    task.budget_tokens !== null ? `${task.budget_tokens.toLocaleString('en-US')} tokens` : '',
    task.budget_usd !== null ? `$${task.budget_usd}` : '',
  ].filter(Boolean);
  return [
    `  usage:        ${spendLine(task.usage)}`,
    `  subtree:      ${spendLine(task.usage_total)}`,
    ...task.usage_by_attempt.map((a) => `    attempt ${a.attempt} on ${a.model}: ${spendLine(a)}`),
    ...(budgets.length > 0 ? [`  budget:       ${budgets.join(', ')} for the subtree`] : []),
  ];
}
