#!/usr/bin/env node
import { run } from './run.js';

const code = await run(process.argv.slice(2));
// Let piped output drain, then exit explicitly: log transports and storage clients must not keep
// a stopped gateway alive.
await new Promise((resolve) => process.stdout.write('', resolve));
await new Promise((resolve) => process.stderr.write('', resolve));
process.exit(code);
