#!/usr/bin/env node
// Renders the fault suite's figures (the JSON lines test/helpers/fault-run.ts appends to
// $HOOKGATE_FAULT_FIGURES, the same as the "FIGURES" diagnostics in the test output) as the
// Markdown rows of docs/reliability.md. Usage: node test/faults-table.mjs figures.jsonl
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node test/faults-table.mjs <figures.jsonl>');
  process.exit(2);
}
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const statuses = (counts) => Object.entries(counts ?? {}).sort().map(([s, n]) => `${s === '0' ? 'cut' : s}×${n}`).join(' ');

for (const r of rows.filter((x) => x.duringFault !== undefined)) {
  const seen = Object.entries(r.duringFault)
    .filter(([name]) => !name.endsWith('(bad cred)'))
    .sort()
    .map(([name, counts]) => `${name} ${statuses(counts)}`)
    .join('; ');
  const bad = new Set(Object.entries(r.duringFault).filter(([name]) => name.endsWith('(bad cred)')).flatMap(([, c]) => Object.keys(c)));
  const recovery = Object.entries(r.recoveryMs).map(([name, ms]) => `${name} ${ms} ms`).join(', ') || 'n/a (no outage)';
  const extra = rows.find((x) => x.test === r.test && x.duringFault === undefined);
  const notes = extra === undefined ? '' : ` (${Object.entries(extra).filter(([k]) => !['fault', 'test', 'statuses', 'samples', 'collateral'].includes(k)).map(([k, v]) => `${k} ${JSON.stringify(v)}`).join(', ')})`;
  console.log(`| ${r.fault}${notes} | ${seen}; bad credentials: ${[...bad].sort().join('/')} | ${r.unauthenticatedPassThroughs} | ${recovery} | \`${r.test.split(' > ')[0]}\` > ${r.test.split(' > ').slice(1).join(' > ')} |`);
}
for (const r of rows.filter((x) => x.duringFault === undefined && !rows.some((y) => y.test === x.test && y.duringFault !== undefined))) {
  console.log(`\n${r.test}:\n${JSON.stringify({ ...r, statuses: undefined, samples: undefined })}`);
  if (Array.isArray(r.samples)) for (const s of r.samples) console.log(`| ${s.atS} | ${s.requests} | ${s.rssMiB} | ${s.fds} | ${s.bridgeRssMiB} |`);
}
