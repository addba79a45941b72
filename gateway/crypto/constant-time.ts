import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether two secrets are equal, in constant time: both are hashed first, so neither their
 * content nor their length leaks through timing (timingSafeEqual alone needs equal lengths).
 */
export function constantTimeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}
