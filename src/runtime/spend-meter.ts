/**
 * What one attempt's model calls spend (SPEC §5, issue 11): before each call, whether a budget over the task is
 * spent (then no call starts); after it, its usage priced and written to the store at once, so that every process
 * sees the subtree's spend, unless it is the final answer, whose spend goes with the answer in one write.
 */
import { AgentError } from '../errors.js';
import type { Claim, Task } from '../model/task.js';
import type { ModelResponse, ProviderName } from '../providers/types.js';
import type { RunSpend, TaskService } from '../tasks/task-service.js';
import { costOf } from '../usage/prices.js';
import type { Prices } from '../usage/prices.js';
import { addSpend, spendOf } from '../usage/usage.js';

/** A budget over the run's task is spent: the task (or the ancestor whose budget it is) has failed already. */
export class BudgetExhaustedError extends AgentError {
  constructor(message: string) {
    super('budget_exhausted', message);
  }
}

export class SpendMeter {
  private pending: RunSpend | null = null;

  constructor(
    private readonly tasks: TaskService,
    private readonly claim: Claim,
    private readonly attempt: number,
    private readonly provider: ProviderName,
    private readonly prices: Readonly<Prices>,
  ) {}

  /** Throws `BudgetExhaustedError` when a budget over `task` is spent: no new model call starts under it. */
  async before(task: Task): Promise<void> {
    const spent = await this.tasks.spending.spent(task);
    if (spent !== null) throw new BudgetExhaustedError(spent);
  }

  /**
   * Counts what a call spent. A call that asks for tools is written at once (its tools may spawn children, which
   * must see it); a final answer's spend waits for the answer's write (`take`). Throws `BudgetExhaustedError` when
   * this call spent a budget over the task.
   */
  async after(response: ModelResponse): Promise<void> {
    const model = `${this.provider}:${response.model}`;
    const spent: RunSpend = {
      attempt: this.attempt,
      model,
      spend: spendOf(response.usage, costOf(response.usage, model, this.prices)),
    };
    if (response.toolCalls.length === 0) {
      this.pending = this.pending === null ? spent : { ...spent, spend: addSpend(this.pending.spend, spent.spend) };
      return;
    }
    const exhausted = await this.tasks.spending.record(this.claim, spent);
    if (exhausted !== null) throw new BudgetExhaustedError(exhausted);
  }

  /** The spend not written yet (the final answer's), for the run's last write; null when there is none. */
  take(): RunSpend | null {
    const pending = this.pending;
    this.pending = null;
    return pending;
  }
}
