import { secretsEqual } from '../session/index.js';

/**
 * Compares a presented secret with the configured one in constant time (see secretsEqual), so
 * neither the content nor the length of the secret leaks through timing.
 */
export function secretMatches(presented: string | undefined, secret: string): boolean {
  if (secret === '' || presented === undefined) return false;
  return secretsEqual(presented, secret);
}
