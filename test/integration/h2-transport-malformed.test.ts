// Servers that break the protocol in one specific way each (a raw HTTP/2 server, test/helpers/
// h2-raw-server.ts), and servers that reset a call's stream: the exact DispatchError each
// transport reports. grpc-js is the reference wherever it reports something definite.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dispatch, KINDS, objectBytes, transportOf, type Kind, type Outcome } from '../helpers/h2.js';
import { startRawH2Server, type RawConnection, type RawFrame } from '../helpers/h2-raw-server.js';

const DATA = 0x0;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const SETTINGS = 0x4;
const WINDOW_UPDATE = 0x8;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;

const u32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff]);
/** `:status: 200` (static index 8) and `content-type: application/grpc` (static name 31, literal value). */
const RESPONSE_HEADERS = Buffer.concat([Buffer.from([0x88, 0x0f, 0x10, 16]), Buffer.from('application/grpc')]);
const failureOf = (o: Outcome) => ({ failure: o.failure, code: o.code, message: o.message });

/** What a misbehaving server does when a call's HEADERS arrive. */
type Misbehaviour = (conn: RawConnection, frame: RawFrame) => void;

/** One call through each transport to a server that misbehaves so; the outcomes, by transport. */
async function outcomes(misbehave: Misbehaviour): Promise<Map<Kind, ReturnType<typeof failureOf>>> {
  const front = await startRawH2Server((conn) => {
    conn.frame(SETTINGS, 0, 0);
    conn.onFrame((frame) => {
      if (frame.type === HEADERS) misbehave(conn, frame);
    });
  });
  const results = new Map<Kind, ReturnType<typeof failureOf>>();
  try {
    for (const kind of KINDS) {
      const transport = transportOf(kind, front.address);
      try {
        results.set(kind, failureOf(await dispatch(transport, objectBytes('Echo'), 2000)));
      } finally {
        transport.close();
      }
    }
    return results;
  } finally {
    await front.close();
  }
}

describe('streams reset by the server, and malformed frames', () => {
  const resets: [string, number, { failure: string; code: number; details: string }][] = [
    ['NO_ERROR before any status', 0x0, { failure: 'status', code: 13, details: 'Received RST_STREAM with code 0 (Call ended without gRPC status)' }],
    ['INTERNAL_ERROR', 0x2, { failure: 'status', code: 13, details: 'Received RST_STREAM with code 2 (Internal server error)' }],
    ['CANCEL', 0x8, { failure: 'status', code: 1, details: 'Call cancelled' }],
    ['ENHANCE_YOUR_CALM', 0xb, { failure: 'status', code: 8, details: 'Bandwidth exhausted or memory limit exceeded' }],
    ['FLOW_CONTROL_ERROR', 0x3, { failure: 'status', code: 13, details: 'Received RST_STREAM with code 3' }],
  ];
  for (const [name, errorCode, expected] of resets) {
    it(`RST_STREAM ${name} after the response headers: the same status on both transports`, async () => {
      const results = await outcomes((conn, frame) => {
        conn.frame(HEADERS, END_HEADERS, frame.streamId, RESPONSE_HEADERS);
        conn.frame(RST_STREAM, 0, frame.streamId, u32(errorCode));
      });
      assert.deepEqual(results.get('h2'), results.get('grpc-js'));
      const { failure, code, details } = expected;
      assert.deepEqual(results.get('h2'), { failure, code, message: `plugin server answered ${['OK', 'CANCELLED'][code] ?? (code === 8 ? 'RESOURCE_EXHAUSTED' : 'INTERNAL')}: ${details}` });
    });
  }

  it('a reply without trailers (DATA with END_STREAM): INTERNAL, as grpc-js', async () => {
    const results = await outcomes((conn, frame) => {
      conn.frame(HEADERS, END_HEADERS, frame.streamId, RESPONSE_HEADERS);
      conn.frame(DATA, END_STREAM, frame.streamId, Buffer.from([0, 0, 0, 0, 0]));
    });
    assert.deepEqual(results.get('h2'), results.get('grpc-js'));
    assert.deepEqual(results.get('h2'), { failure: 'status', code: 13, message: 'plugin server answered INTERNAL: Received RST_STREAM with code 0 (Call ended without gRPC status)' });
  });

  // Connection errors. h2 fails every call on the connection at once with INTERNAL and names what
  // broke. grpc-js (nghttp2) sends GOAWAY too, but for some of them never ends the call: it runs
  // to its deadline, even when the server closes the connection afterwards. Both fail closed.
  const GRPC_JS_PROTOCOL_ERROR = 'plugin server answered INTERNAL: Received RST_STREAM with code 2 triggered by internal client error: Protocol error';
  const DEADLINE = { failure: 'deadline', code: 4, message: 'no reply within 2000 ms' };
  const broken: [string, Misbehaviour, string, unknown][] = [
    ['an HPACK index past both tables', (conn, frame) => conn.frame(HEADERS, END_HEADERS, frame.streamId, Buffer.from([0xff, 0x7f])), 'COMPRESSION_ERROR): HPACK: index 254 is past the end of the tables', DEADLINE],
    ['a frame longer than the 16 KB both sides allow', (conn, frame) => conn.frame(DATA, 0, frame.streamId, Buffer.alloc(20_000)), 'FRAME_SIZE_ERROR): a frame of 20000 bytes, over the 16384 advertised', DEADLINE],
    ['DATA on stream 0', (conn) => conn.frame(DATA, 0, 0, Buffer.alloc(4)), 'PROTOCOL_ERROR): DATA on stream 0', DEADLINE],
    [
      'a WINDOW_UPDATE of 0 on the connection',
      (conn) => conn.frame(WINDOW_UPDATE, 0, 0, u32(0)),
      'PROTOCOL_ERROR): a WINDOW_UPDATE of 0 on the connection',
      { failure: 'status', code: 13, message: GRPC_JS_PROTOCOL_ERROR },
    ],
    [
      'HEADERS on a stream the client never opened',
      (conn) => conn.frame(HEADERS, END_HEADERS, 2, RESPONSE_HEADERS),
      'PROTOCOL_ERROR): HEADERS on stream 2, which was never opened',
      { failure: 'status', code: 13, message: GRPC_JS_PROTOCOL_ERROR },
    ],
  ];
  for (const [name, misbehave, why, grpcJs] of broken) {
    it(`${name}: h2 fails at once with INTERNAL and says why`, async () => {
      const results = await outcomes(misbehave);
      assert.deepEqual(results.get('h2'), { failure: 'status', code: 13, message: `plugin server answered INTERNAL: HTTP/2 protocol error (${why}` });
      assert.deepEqual(results.get('grpc-js'), grpcJs);
    });
  }
});
