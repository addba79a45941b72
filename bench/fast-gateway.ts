/**
 * Case 3 of `npm run bench`: fast-gateway (npm), a peer Node gateway, with one route to the
 * benchmark upstream and nothing else, as its README's minimal example. Run as
 * `node dist/bench/fast-gateway.js <upstream origin>`; prints "ready <port>" when it listens.
 */
import type { AddressInfo } from 'node:net';
import gateway from 'fast-gateway';

const target = process.argv[2] ?? 'http://127.0.0.1:1';
const server = gateway({ routes: [{ prefix: '/bench', target }] });
const listening = await server.start(0, '127.0.0.1');
process.stdout.write(`ready ${(listening.address() as AddressInfo).port}\n`);
