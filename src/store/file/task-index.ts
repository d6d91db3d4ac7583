/**
 * An index of the in-memory store: for each key (a party, a status, a group, a parent…), the ids of the tasks that
 * have it, in creation order (ascending `created_seq`). A page of a query walks one or a few of these lists from the
 * cursor's position (found by binary search), so it costs the same at 1k and 1M tasks.
 *
 * Tasks are stored in creation order, so adding a new task appends; a task whose key changes (a status change)
 * moves by binary search: the splice moves only the entries after it, few for the recent tasks that change.
 */
export class TaskIndex {
  private readonly lists = new Map<string, string[]>();
  /** The `created_seq` of each list's last id: a new task is appended without a lookup. */
  private readonly lastSeq = new Map<string, number>();

  /** @param createdSeq the `created_seq` of a stored task, by id */
  constructor(private readonly createdSeq: (id: string) => number) {}

  /** The ids with `key`, in creation order (no copy: do not change it). */
  list(key: string): readonly string[] {
    return this.lists.get(key) ?? EMPTY;
  }

  add(key: string, id: string, seq: number): void {
    const list = this.lists.get(key);
    if (!list) {
      this.lists.set(key, [id]);
      this.lastSeq.set(key, seq);
      return;
    }
    if ((this.lastSeq.get(key) as number) < seq) {
      list.push(id);
      this.lastSeq.set(key, seq);
      return;
    }
    const at = lowerBound(list, seq, this.createdSeq);
    if (list[at] !== id) list.splice(at, 0, id);
  }

  remove(key: string, id: string, seq: number): void {
    const list = this.lists.get(key);
    if (!list) return;
    const at = lowerBound(list, seq, this.createdSeq);
    if (list[at] !== id) return;
    list.splice(at, 1);
    if (list.length === 0) {
      this.lists.delete(key);
      this.lastSeq.delete(key);
    } else if (at === list.length) {
      this.lastSeq.set(key, this.createdSeq(list[at - 1] as string));
    }
  }

  /** Removes many ids from one list at once (`tasks` in creation order, all still stored): one pass, not a splice each. */
  removeAll(key: string, tasks: readonly { id: string; created_seq: number }[]): void {
    const list = this.lists.get(key);
    if (!list) return;
    dropAll(list, tasks, this.createdSeq);
    if (list.length === 0) {
      this.lists.delete(key);
      this.lastSeq.delete(key);
    } else {
      this.lastSeq.set(key, this.createdSeq(list[list.length - 1] as string));
    }
  }

  clear(): void {
    this.lists.clear();
    this.lastSeq.clear();
  }
}

const EMPTY: readonly string[] = [];

/** The first index of `list` (ids in creation order) whose `created_seq` is ≥ `seq`. */
export function lowerBound(list: readonly string[], seq: number, createdSeq: (id: string) => number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (createdSeq(list[mid] as string) < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Removes `tasks` (in creation order) from `list` (ids in creation order): each found by binary search, the entries
 * between them moved down in native copies (copyWithin), so that dropping k ids of n costs k·log n lookups and one
 * move of the rest, not n lookups.
 */
export function dropAll(
  list: string[],
  tasks: readonly { id: string; created_seq: number }[],
  createdSeq: (id: string) => number,
): void {
  const at: number[] = [];
  for (const task of tasks) {
    const i = lowerBound(list, task.created_seq, createdSeq);
    if (list[i] === task.id && at[at.length - 1] !== i) at.push(i);
  }
  if (at.length === 0) return;
  let to = at[0] as number;
  for (let k = 0; k < at.length; k++) {
    const from = (at[k] as number) + 1;
    const end = k + 1 < at.length ? (at[k + 1] as number) : list.length;
    list.copyWithin(to, from, end);
    to += end - from;
  }
  list.length = to;
}
