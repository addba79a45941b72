// A server that answers with random and mutated frames, over a real socket (fixed seeds, bounded
// runs): whatever arrives, every call settles (a reply or a DispatchError), none outlives its
// deadline by more than a margin, and nothing is thrown out of the transport.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { DispatchError, H2Transport } from '../../coprocess/dispatch/index.js';
import { encodeHeaders, huffmanEncode } from '../../coprocess/dispatch/h2/index.js';
import { DISPATCH_PATH } from '../../coprocess/protocol/index.js';
import { frameBytes, startRawH2Server, type RawH2Server } from '../helpers/h2-raw-server.js';
import { TRANSPORT_OPTIONS } from '../helpers/h2.js';

const DATA = 0x0;
const HEADERS = 0x1;
const SETTINGS = 0x4;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
/** Short, so that runs which end at the deadline stay quick; long enough for a loaded machine to answer. */
const DEADLINE_MS = 300;

/** A correct reply on `streamId`: headers (Huffman-coded and indexed, as nghttp2 sends), one message, trailers. */
function reply(streamId: number, message: Buffer): Buffer[] {
  const contentType = huffmanEncode('application/grpc');
  const headers = Buffer.concat([Buffer.from([0x88, 0x5f, 0x80 | contentType.length]), contentType]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(message.length, 1);
  return [
    frameBytes(HEADERS, END_HEADERS, streamId, headers),
    frameBytes(DATA, 0, streamId, Buffer.concat([prefix, message])),
    frameBytes(HEADERS, END_HEADERS | END_STREAM, streamId, encodeHeaders([['grpc-status', '0'], ['grpc-message', 'OK']])),
  ];
}

interface Script {
  /** Frames (as bytes) the server sends once the client's first HEADERS arrives. */
  readonly frames: Buffer[];
  /** Byte edits on the concatenation: flip a bit, drop a byte, insert a byte. */
  readonly edits: (readonly ['flip' | 'drop' | 'insert', number, number])[];
  /** Write in chunks of this size (0: at once). */
  readonly chunk: number;
  readonly closeAfter: boolean;
}

const randomFrame = fc
  .record({
    type: fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 10, max: 255 })),
    flags: fc.integer({ min: 0, max: 255 }),
    streamId: fc.oneof(fc.constantFrom(0, 1, 3, 5, 2), fc.integer({ min: 0, max: 2 ** 31 - 1 })),
    payload: fc.uint8Array({ maxLength: 64 }),
  })
  .map((f) => frameBytes(f.type, f.flags, f.streamId, Buffer.from(f.payload)));

const script: fc.Arbitrary<Script> = fc.record({
  frames: fc
    .tuple(fc.array(fc.constantFrom(1, 3, 5), { maxLength: 3 }), fc.array(randomFrame, { maxLength: 4 }), fc.nat())
    .map(([streams, noise, at]) => {
      const frames = streams.flatMap((id) => reply(id, Buffer.from(`reply on ${id}`)));
      frames.splice(at % (frames.length + 1), 0, ...noise);
      return frames;
    }),
  edits: fc.array(fc.tuple(fc.constantFrom('flip' as const, 'drop' as const, 'insert' as const), fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
  chunk: fc.constantFrom(0, 1, 7, 100),
  closeAfter: fc.boolean(),
});

function apply(s: Script): Buffer {
  const bytes = [...Buffer.concat(s.frames)];
  for (const [kind, at, value] of s.edits) {
    const i = bytes.length === 0 ? 0 : at % bytes.length;
    if (kind === 'flip' && bytes.length > 0) bytes[i] = (bytes[i] as number) ^ (1 << (value % 8));
    else if (kind === 'drop') bytes.splice(i, 1);
    else bytes.splice(i, 0, value);
  }
  return Buffer.from(bytes);
}

describe('lean transport: fuzzed server frames over a socket', () => {
  let server: RawH2Server;
  let current: Script = { frames: [], edits: [], chunk: 0, closeAfter: false };
  before(async () => {
    server = await startRawH2Server((conn) => {
      const s = current;
      conn.frame(SETTINGS, 0, 0);
      // After the third call's HEADERS, so that replies on streams 3 and 5 find them open.
      let headers = 0;
      conn.onFrame((frame) => {
        if (frame.type !== HEADERS || ++headers !== 3) return;
        const bytes = apply(s);
        if (s.chunk === 0) conn.raw(bytes);
        else for (let at = 0; at < bytes.length; at += s.chunk) conn.raw(bytes.subarray(at, at + s.chunk));
        if (s.closeAfter) conn.socket.end();
      });
    });
  });
  after(() => server.close());

  /** Three calls on a fresh transport; each must settle, cleanly, within its deadline and a margin. */
  async function run(s: Script, deadlineMs = DEADLINE_MS): Promise<(Buffer | DispatchError)[]> {
    current = s;
    const transport = new H2Transport(server.address, TRANSPORT_OPTIONS, { connectTimeoutMs: 1000, backoffInitialMs: 10 });
    try {
      const calls = [1, 2, 3].map((i) =>
        transport.unary(DISPATCH_PATH, Buffer.from(`request ${i}`), deadlineMs, undefined).then(
          (reply) => reply,
          (err: unknown) => {
            if (err instanceof DispatchError) return err;
            throw new Error(`rejected with something other than a DispatchError: ${String(err)}`);
          },
        ),
      );
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('a call did not settle within its deadline + 5 s')), deadlineMs + 5000);
      });
      try {
        return await Promise.race([Promise.all(calls), hang]);
      } finally {
        clearTimeout(timer);
      }
    } finally {
      transport.close();
    }
  }

  it('the unmutated script is a correct reply (the generator is sound)', async () => {
    const results = await run({ frames: [1, 3, 5].flatMap((id) => reply(id, Buffer.from(`reply on ${id}`))), edits: [], chunk: 7, closeAfter: false }, 5000);
    assert.deepEqual(
      results.map((r) => (r instanceof DispatchError ? r.message : r.toString())),
      ['reply on 1', 'reply on 3', 'reply on 5'],
    );
  });

  it('random and mutated frames: every call settles cleanly and on time', async () => {
    const kinds = new Set<string>();
    await fc.assert(
      fc.asyncProperty(script, async (s) => {
        for (const result of await run(s)) kinds.add(result instanceof DispatchError ? result.failure : 'reply');
      }),
      { seed: 20261122, numRuns: 120 },
    );
    assert.ok(kinds.has('reply') && kinds.has('deadline') && (kinds.has('status') || kinds.has('unavailable')), `outcomes seen: ${[...kinds].join(', ')}`);
  });
});
