import type { Dispatcher } from 'undici';

/**
 * Requests in flight per upstream origin. undici queues requests without bound while every
 * pooled connection of an origin is busy; past `connections + maxQueued` the gateway answers 503
 * at once instead, so a stuck upstream cannot pile up requests (and their clients' sockets).
 */
export class OriginGate {
  private readonly inFlight = new Map<string, number>();

  constructor(private readonly capacity: number) {}

  /**
   * Takes a slot and makes the handler, wrapped to give the slot back when the exchange ends;
   * undefined (and no handler made) when the origin is full.
   */
  enter(origin: string, make: () => Dispatcher.DispatchHandler): Dispatcher.DispatchHandler | undefined {
    const count = this.inFlight.get(origin) ?? 0;
    if (count >= this.capacity) return undefined;
    const handler = make();
    this.inFlight.set(origin, count + 1);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const left = (this.inFlight.get(origin) ?? 1) - 1;
      if (left <= 0) this.inFlight.delete(origin);
      else this.inFlight.set(origin, left);
    };
    return new Proxy(handler, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver);
        if ((property === 'onComplete' || property === 'onError') && typeof value === 'function') {
          return (...args: unknown[]) => {
            release();
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        }
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  }

  /** Requests in flight to `origin` (for tests and metrics). */
  count(origin: string): number {
    return this.inFlight.get(origin) ?? 0;
  }
}
