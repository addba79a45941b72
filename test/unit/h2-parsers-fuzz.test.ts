// Random and mutated input for the frame reader and the HPACK decoder (fixed seeds, bounded runs):
// they return or throw H2ProtocolError, which the connection turns into a clean failure of its
// calls; any other exception would be a bug that escapes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeHeaders, FrameReader, H2ProtocolError, HpackDecoder, huffmanEncode } from '../../coprocess/dispatch/h2/index.js';

interface Frame {
  type: number;
  flags: number;
  streamId: number;
  payload: Buffer;
}

const frameBytes = ({ type, flags, streamId, payload }: Frame) => {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
};

const frame = fc.record({
  type: fc.integer({ min: 0, max: 255 }),
  flags: fc.integer({ min: 0, max: 255 }),
  streamId: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  payload: fc.uint8Array({ maxLength: 600 }).map((a) => Buffer.from(a)),
});

/** Cuts `bytes` at the given points (any order, any duplicates). */
const cut = (bytes: Buffer, points: number[]) => {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let start = 0;
  for (const p of [...at, bytes.length]) {
    chunks.push(bytes.subarray(start, p));
    start = p;
  }
  return chunks;
};

const onlyProtocolErrors = (run: () => void) => {
  try {
    run();
  } catch (err) {
    if (!(err instanceof H2ProtocolError)) throw err;
  }
};

describe('frame reader', () => {
  it('yields the same frames however the byte stream is cut into chunks', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 20 }), (frames, points) => {
        const seen: Frame[] = [];
        const reader = new FrameReader((type, flags, streamId, payload) => seen.push({ type, flags, streamId, payload: Buffer.from(payload) }));
        for (const chunk of cut(Buffer.concat(frames.map(frameBytes)), points)) reader.push(chunk);
        assert.deepEqual(seen, frames.map((f) => ({ ...f, streamId: f.streamId & 0x7fffffff })));
      }),
      { seed: 9113, numRuns: 400 },
    );
  });

  it('refuses a frame over the advertised size, and throws nothing else on random bytes', () => {
    assert.throws(() => new FrameReader(() => undefined).push(frameBytes({ type: 0, flags: 0, streamId: 1, payload: Buffer.alloc(16_385) })), H2ProtocolError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.array(fc.nat(), { maxLength: 8 }), (bytes, points) => {
        const reader = new FrameReader(() => undefined);
        onlyProtocolErrors(() => {
          for (const chunk of cut(Buffer.from(bytes), points)) reader.push(chunk);
        });
      }),
      { seed: 9114, numRuns: 1000 },
    );
  });
});

describe('HPACK decoder', () => {
  const realistic = [
    encodeHeaders([[':status', '200'], ['content-type', 'application/grpc'], ['grpc-status', '0'], ['grpc-message', 'OK']]),
    Buffer.from('488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3', 'hex'),
    // A Huffman-coded new name added to the table, then referenced, then a (misplaced) size update.
    Buffer.concat([Buffer.from([0x40, 0x80 | huffmanEncode('grpc-status').length]), huffmanEncode('grpc-status'), Buffer.from([0x01, 0x30, 0xbe, 0x3f, 0xe1, 0x1f])]),
  ];

  it('throws nothing but H2ProtocolError on random blocks, across a sequence on one decoder', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { minLength: 1, maxLength: 6 }), (blocks) => {
        const decoder = new HpackDecoder(4096, 64 * 1024);
        for (const block of blocks) onlyProtocolErrors(() => decoder.decode(Buffer.from(block)));
      }),
      { seed: 7541, numRuns: 2000 },
    );
  });

  it('throws nothing but H2ProtocolError on mutated real blocks (flipped, dropped and inserted bytes)', () => {
    const mutation = fc.record({ which: fc.nat(), edits: fc.array(fc.tuple(fc.constantFrom('flip', 'drop', 'insert'), fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }) });
    fc.assert(
      fc.property(mutation, ({ which, edits }) => {
        const bytes = [...(realistic[which % realistic.length] as Buffer)];
        for (const [kind, at, value] of edits) {
          const i = bytes.length === 0 ? 0 : at % bytes.length;
          if (kind === 'flip' && bytes.length > 0) bytes[i] = (bytes[i] as number) ^ (1 << (value % 8));
          else if (kind === 'drop') bytes.splice(i, 1);
          else bytes.splice(i, 0, value);
        }
        onlyProtocolErrors(() => new HpackDecoder(4096, 64 * 1024).decode(Buffer.from(bytes)));
      }),
      { seed: 7542, numRuns: 3000 },
    );
  });
});
