import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeHeaders, H2ProtocolError, HpackDecoder, huffmanDecode, huffmanEncode } from '../../coprocess/dispatch/h2/index.js';

const hex = (text: string) => Buffer.from(text.replace(/\s+/g, ''), 'hex');
const pairs = (flat: string[]) => flat.reduce<[string, string][]>((out, v, i) => (i % 2 === 0 ? [...out, [v, flat[i + 1] ?? '']] : out), []);

interface Step {
  readonly block: string;
  readonly headers: [string, string][];
  /** The dynamic table after the block, newest first, and its size. */
  readonly table: [string, string][];
  readonly size: number;
}

const REQUESTS: [string, string][][] = [
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com']],
  [[':method', 'GET'], [':scheme', 'http'], [':path', '/'], [':authority', 'www.example.com'], ['cache-control', 'no-cache']],
  [[':method', 'GET'], [':scheme', 'https'], [':path', '/index.html'], [':authority', 'www.example.com'], ['custom-key', 'custom-value']],
];
const REQUEST_TABLES: [string, string][][] = [
  [[':authority', 'www.example.com']],
  [['cache-control', 'no-cache'], [':authority', 'www.example.com']],
  [['custom-key', 'custom-value'], ['cache-control', 'no-cache'], [':authority', 'www.example.com']],
];
const DATE1 = 'Mon, 21 Oct 2013 20:13:21 GMT';
const DATE2 = 'Mon, 21 Oct 2013 20:13:22 GMT';
const COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const LOCATION = 'https://www.example.com';
const RESPONSES: [string, string][][] = [
  [[':status', '302'], ['cache-control', 'private'], ['date', DATE1], ['location', LOCATION]],
  [[':status', '307'], ['cache-control', 'private'], ['date', DATE1], ['location', LOCATION]],
  [[':status', '200'], ['cache-control', 'private'], ['date', DATE2], ['location', LOCATION], ['content-encoding', 'gzip'], ['set-cookie', COOKIE]],
];
const RESPONSE_TABLES: [string, string][][] = [
  [['location', LOCATION], ['date', DATE1], ['cache-control', 'private'], [':status', '302']],
  [[':status', '307'], ['location', LOCATION], ['date', DATE1], ['cache-control', 'private']],
  [['set-cookie', COOKIE], ['content-encoding', 'gzip'], ['date', DATE2]],
];

/** RFC 7541 Appendix C: each example is a sequence of blocks on one connection (one decoder). */
const APPENDIX_C: Record<string, { tableSize: number; steps: Step[] }> = {
  'C.3 requests without Huffman': {
    tableSize: 4096,
    steps: [
      '828684410f7777772e6578616d706c652e636f6d',
      '828684be58086e6f2d6361636865',
      '828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565',
    ].map((block, i) => ({ block, headers: REQUESTS[i] ?? [], table: REQUEST_TABLES[i] ?? [], size: [57, 110, 164][i] ?? 0 })),
  },
  'C.4 requests with Huffman': {
    tableSize: 4096,
    steps: ['828684418cf1e3c2e5f23a6ba0ab90f4ff', '828684be5886a8eb10649cbf', '828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf'].map((block, i) => ({
      block,
      headers: REQUESTS[i] ?? [],
      table: REQUEST_TABLES[i] ?? [],
      size: [57, 110, 164][i] ?? 0,
    })),
  },
  'C.5 responses without Huffman (256-byte table, with evictions)': {
    tableSize: 256,
    steps: [
      '4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d',
      '4803333037c1c0bf',
      '88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31',
    ].map((block, i) => ({ block, headers: RESPONSES[i] ?? [], table: RESPONSE_TABLES[i] ?? [], size: [222, 222, 215][i] ?? 0 })),
  },
  'C.6 responses with Huffman (256-byte table, with evictions)': {
    tableSize: 256,
    steps: [
      '488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3',
      '4883640effc1c0bf',
      '88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007',
    ].map((block, i) => ({ block, headers: RESPONSES[i] ?? [], table: RESPONSE_TABLES[i] ?? [], size: [222, 222, 215][i] ?? 0 })),
  },
};

describe('HPACK decoder: RFC 7541 Appendix C', () => {
  it('C.1 integers with a 5-bit prefix (10, and 1337 over three octets), read through table size updates', () => {
    // A size update (001xxxxx) carries a 5-bit-prefix integer; the decoder refuses one above its limit.
    for (const [block, value] of [['2a', 10], ['3f9a0a', 1337]] as const) {
      assert.deepEqual(new HpackDecoder(value).decode(hex(block)), [], `${block} is ${value}`);
      assert.throws(() => new HpackDecoder(value - 1).decode(hex(block)), H2ProtocolError, `${block} is over ${value - 1}`);
    }
  });

  it('C.2 single fields: literal with indexing, without indexing, never indexed, indexed', () => {
    const cases: [string, [string, string][], number][] = [
      ['400a637573746f6d2d6b65790d637573746f6d2d686561646572', [['custom-key', 'custom-header']], 55],
      ['040c2f73616d706c652f70617468', [[':path', '/sample/path']], 0],
      ['100870617373776f726406736563726574', [['password', 'secret']], 0],
      ['82', [[':method', 'GET']], 0],
    ];
    for (const [block, headers, size] of cases) {
      const decoder = new HpackDecoder();
      assert.deepEqual(pairs(decoder.decode(hex(block))), headers);
      assert.equal(decoder.table.size, size);
    }
  });

  for (const [name, example] of Object.entries(APPENDIX_C)) {
    it(name, () => {
      const decoder = new HpackDecoder(example.tableSize);
      for (const step of example.steps) {
        assert.deepEqual(pairs(decoder.decode(hex(step.block))), step.headers);
        assert.deepEqual(decoder.table, { entries: step.table, size: step.size });
      }
    });
  }
});

describe('HPACK decoder: what it must refuse', () => {
  const refuses = (block: string, tableSize = 4096) => assert.throws(() => new HpackDecoder(tableSize).decode(hex(block)), H2ProtocolError);

  it('indices 0 and past the tables, truncated strings and integers', () => {
    refuses('80');
    refuses('be'); // dynamic index 62 with an empty table
    refuses('0f');
    refuses('040c2f73');
    refuses('ff ff ff ff ff ff 7f');
  });

  it('table size updates: over the limit, or after a field; allowed at the start', () => {
    refuses('3fe21f', 4096); // 4097 > 4096
    refuses('82 20');
    const decoder = new HpackDecoder();
    decoder.decode(hex('400a637573746f6d2d6b65790d637573746f6d2d686561646572'));
    assert.deepEqual(pairs(decoder.decode(hex('20 3fe11f 82'))), [[':method', 'GET']]);
    assert.deepEqual(decoder.table, { entries: [], size: 0 }, 'a size update to 0 empties the table');
  });

  it('Huffman: EOS in a string, padding of 8 bits or more, padding that is not all ones', () => {
    assert.throws(() => huffmanDecode(hex('ffffffff'), 0, 4), H2ProtocolError);
    assert.throws(() => huffmanDecode(hex('ff'), 0, 1), H2ProtocolError);
    assert.throws(() => huffmanDecode(hex('00'), 0, 1), H2ProtocolError); // '0' (5 bits) then 000 padding
    assert.equal(huffmanDecode(hex('07'), 0, 1), '0', "'0' is 00000, then 111 padding");
  });

  it('a header list larger than its bound (a few bytes repeating a large entry)', () => {
    // x: 3968 v's (127 + 1 + 30 * 128), added to the table, then referenced (index 62) 100 times.
    const insert = Buffer.concat([hex('40 01 78'), hex('7f 81 1e'), Buffer.from('v'.repeat(3968))]);
    const repeat = Buffer.alloc(100, 0xbe);
    assert.throws(() => new HpackDecoder(4096, 64 * 1024).decode(Buffer.concat([insert, repeat])), H2ProtocolError);
  });
});

describe('HPACK encoder and Huffman code: round trips', () => {
  const octets = fc.string({ unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)), maxLength: 64 });
  const name = fc.stringMatching(/^[a-z0-9-]{1,20}$/);

  it('encodeHeaders output decodes to the same list (static pairs, static names, new names)', () => {
    const field = fc.oneof(
      fc.tuple(fc.constantFrom(':method', ':path', ':scheme', ':status', 'content-type', 'user-agent', 'te'), fc.oneof(fc.constantFrom('GET', 'POST', '/', 'http', '200', 'trailers'), octets)),
      fc.tuple(name, octets),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 20 }), (fields) => {
        const decoded = pairs(new HpackDecoder().decode(encodeHeaders(fields)));
        assert.deepEqual(decoded, fields);
      }),
      { seed: 7541, numRuns: 500 },
    );
  });

  it('Huffman decoding inverts encoding, for any octets', () => {
    fc.assert(
      fc.property(octets, (text) => {
        const encoded = huffmanEncode(text);
        assert.equal(huffmanDecode(encoded, 0, encoded.length), text);
      }),
      { seed: 7542, numRuns: 1000 },
    );
  });

  it("Huffman-codes RFC 7541's examples as the RFC does", () => {
    assert.equal(huffmanEncode('www.example.com').toString('hex'), 'f1e3c2e5f23a6ba0ab90f4ff');
    assert.equal(huffmanEncode('no-cache').toString('hex'), 'a8eb10649cbf');
    assert.equal(huffmanEncode(COOKIE).toString('hex'), '94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007');
  });
});
