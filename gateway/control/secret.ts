import { constantTimeEqual } from '../crypto/index.js';

/**
 * Compares a presented secret with the configured one in constant time; an empty configured
 * secret matches nothing.
 */
export function secretMatches(presented: string | undefined, secret: string): boolean {
  if (secret === '' || presented === undefined) return false;
  return constantTimeEqual(presented, secret);
}
