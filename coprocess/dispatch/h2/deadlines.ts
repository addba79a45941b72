/** Something with a deadline, linked into a DeadlineList (the links belong to the list). */
export interface Expiring {
  /** Epoch milliseconds. */
  readonly deadline: number;
  deadlinePrev: Expiring | undefined;
  deadlineNext: Expiring | undefined;
  deadlineListed: boolean;
  /** Called once, when the deadline passes while the item is still listed (it is unlisted first). */
  expire(): void;
}

/**
 * Per-call deadlines with one timer for all of them. Calls are kept in deadline order in an
 * intrusive list; since most calls of a gateway share one timeout, a new call's place is at or
 * near the tail, and a finished call unlinks in O(1). The timer is armed for the earliest
 * deadline; when the head finishes early the timer is left alone and re-armed when it fires, so a
 * busy gateway pays about one timer per deadline period instead of a setTimeout and clearTimeout
 * per call.
 */
export class DeadlineList {
  private head: Expiring | undefined;
  private tail: Expiring | undefined;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  add(item: Expiring): void {
    let after = this.tail;
    while (after !== undefined && after.deadline > item.deadline) after = after.deadlinePrev;
    item.deadlinePrev = after;
    item.deadlineNext = after === undefined ? this.head : after.deadlineNext;
    if (item.deadlineNext === undefined) this.tail = item;
    else item.deadlineNext.deadlinePrev = item;
    if (after === undefined) this.head = item;
    else after.deadlineNext = item;
    item.deadlineListed = true;
    if (item.deadline < this.timerAt) this.arm();
  }

  remove(item: Expiring): void {
    if (!item.deadlineListed) return;
    item.deadlineListed = false;
    if (item.deadlinePrev === undefined) this.head = item.deadlineNext;
    else item.deadlinePrev.deadlineNext = item.deadlineNext;
    if (item.deadlineNext === undefined) this.tail = item.deadlinePrev;
    else item.deadlineNext.deadlinePrev = item.deadlinePrev;
    item.deadlinePrev = item.deadlineNext = undefined;
    if (this.head === undefined) this.disarm();
  }

  /** Stops the timer; listed items stay listed (their owner settles them). */
  stop(): void {
    this.disarm();
  }

  private arm(): void {
    this.disarm();
    const head = this.head;
    if (head === undefined) return;
    this.timerAt = head.deadline;
    // Unref'd: a pending call's socket keeps the process alive, a deadline alone should not.
    this.timer = setTimeout(() => this.fire(), Math.max(0, head.deadline - Date.now())).unref();
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = Date.now();
    while (this.head !== undefined && this.head.deadline <= now) {
      const item = this.head;
      this.remove(item);
      item.expire();
    }
    this.arm();
  }
}
