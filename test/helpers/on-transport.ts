/**
 * Runs a gateway suite's tests once more on another Dispatch transport, in the process of the
 * file that calls this: the suite reads HOOKGATE_TEST_TRANSPORT through coprocessConfig() and
 * pythonGateway() (test/helpers/apis.ts), so setting it before the suite is imported is all it
 * takes. One small file per suite under test/integration/on-grpc-js/ keeps each under the runner's
 * per-file timeout and lets the runner spread them over its workers.
 */
export async function onTransport(transport: 'grpc-js' | 'h2', suite: string): Promise<void> {
  process.env['HOOKGATE_TEST_TRANSPORT'] = transport;
  await import(`../integration/${suite}.test.js`);
}
