import type { Policy } from './schema.js';

const keyOf = (orgId: string, id: string) => `${orgId}\u0000${id}`;

/**
 * The loaded policies, by org and ID (Tyk scopes a policy ID by its org: a session or API of
 * another org never sees it). `replace` swaps the whole set at once, so a reload is never seen
 * half-applied.
 */
export class PolicyStore {
  #byKey = new Map<string, Policy>();

  constructor(policies: readonly Policy[] = []) {
    this.replace(policies);
  }

  replace(policies: readonly Policy[]): void {
    const next = new Map<string, Policy>();
    for (const policy of policies) next.set(keyOf(policy.org_id, policy.id), policy);
    this.#byKey = next;
  }

  get(orgId: string, id: string): Policy | undefined {
    return this.#byKey.get(keyOf(orgId, id));
  }

  get size(): number {
    return this.#byKey.size;
  }
}
