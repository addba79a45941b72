/**
 * The restart delay after `failures` consecutive failed starts or crashes (1 for the first):
 * `initialMs`, doubling per failure, capped at `maxMs`. No jitter: the sidecars of one gateway
 * are few and independent, and a predictable delay is easier to read in the logs.
 */
export function backoffDelay(failures: number, initialMs: number, maxMs: number): number {
  if (failures <= 1) return Math.min(initialMs, maxMs);
  // 2 ** 30 already exceeds any sane maximum; the cap keeps the arithmetic finite.
  const doublings = Math.min(failures - 1, 30);
  return Math.min(initialMs * 2 ** doublings, maxMs);
}
