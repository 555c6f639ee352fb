// A binary min-heap of due times. The scheduler keeps every sensor's next run in one of these so
// that a single timer, armed for the earliest entry, drives tens of thousands of sensors.

export interface HeapItem {
  readonly due: number;
  /** Tie-breaker: equal due times pop in insertion order. */
  readonly seq: number;
}

export class MinHeap<T extends HeapItem> {
  readonly #items: T[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): T | undefined {
    return this.#items[0];
  }

  // Sift with a moving hole rather than swaps: no temporary arrays on a path taken ~2,000 times a second.
  push(item: T): void {
    const a = this.#items;
    let i = a.length;
    a.push(item);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = a[p]!;
      if (!less(item, parent)) break;
      a[i] = parent;
      i = p;
    }
    a[i] = item;
  }

  pop(): T | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    const n = a.length;
    if (n === 0 || last === undefined) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && less(a[r]!, a[l]!) ? r : l;
      const child = a[c]!;
      if (!less(child, last)) break;
      a[i] = child;
      i = c;
    }
    a[i] = last;
    return top;
  }

  /** Keeps only the items `keep` accepts (used to drop stale entries in one O(n) pass). */
  filter(keep: (item: T) => boolean): void {
    const kept = this.#items.filter(keep).sort((x, y) => (less(x, y) ? -1 : 1));
    this.#items.length = 0;
    // A sorted array is a valid heap.
    for (const k of kept) this.#items.push(k);
  }
}

function less(a: HeapItem, b: HeapItem): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
