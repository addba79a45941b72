import type { Certificate } from '../certs/index.js';

type Tier = 'api' | 'named' | 'global';
const TIERS: readonly Tier[] = ['api', 'named', 'global'];

/**
 * Server certificates by the names they serve, in three tiers searched in order: API custom
 * domains, the `certificates` key pairs (their `domain_name`), `ssl_certificates`. In each tier a
 * name matches exactly first, then as `*.<parent>`. A certificate serves its subjectAltName DNS
 * names (its CN when it has none) and, for the first two tiers, the domain it was given for.
 */
export class SniTable {
  private readonly exact = new Map<Tier, Map<string, Certificate>>(TIERS.map((t) => [t, new Map()]));
  private readonly order: Certificate[] = [];
  private readonly firsts = new Map<Tier, Certificate>();

  add(tier: Tier, cert: Certificate, domain: string): void {
    if (cert.leaf === undefined || cert.keyPem === undefined) {
      this.order.push(cert);
      return;
    }
    const names = cert.dnsNames.length > 0 ? [...cert.dnsNames] : commonNames(cert);
    if (domain !== '' && tier !== 'global') names.unshift(domain);
    const map = this.exact.get(tier) as Map<string, Certificate>;
    // API certificates overwrite on a clash (the last API wins, as in Tyk); the others keep the first.
    for (const name of names) if (tier === 'api' || !map.has(name)) map.set(name, cert);
    this.order.push(cert);
    if (!this.firsts.has(tier)) this.firsts.set(tier, cert);
  }

  /** Every certificate added, in the order added. */
  all(): readonly Certificate[] {
    return this.order;
  }

  /** The certificate for an SNI name, or undefined when none carries it. */
  select(servername: string): Certificate | undefined {
    const name = servername.toLowerCase().replace(/\.$/, '');
    const dot = name.indexOf('.');
    const wildcard = dot === -1 ? undefined : `*${name.slice(dot)}`;
    for (const tier of TIERS) {
      const map = this.exact.get(tier) as Map<string, Certificate>;
      const found = map.get(name) ?? (wildcard === undefined ? undefined : map.get(wildcard));
      if (found !== undefined) return found;
    }
    return undefined;
  }

  /** The default: the first `ssl_certificates` pair, else the first `certificates` pair, else the first API one. */
  defaultCert(): Certificate | undefined {
    return this.firsts.get('global') ?? this.firsts.get('named') ?? this.firsts.get('api');
  }
}

function commonNames(cert: Certificate): string[] {
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.leaf?.subject ?? '')?.[1];
  return cn === undefined || cn === '' ? [] : [cn.toLowerCase()];
}
