// The fast Object codec (coprocess/protocol/fast-codec.ts) against the reference codec
// (protobufjs reflection: codec.ts), on random messages (fast-check, fixed seeds, bounded runs):
// - what the fast encoder writes decodes, with the reference decoder, to the same message as
//   what the reference encoder writes (and, for these inputs, is the same bytes);
// - the fast decoders agree with the reference decoder on random wire forms of random messages:
//   fields out of order, unknown fields of every wire type (groups too) anywhere, repeated
//   occurrences of scalar fields (the last one wins), packed and unpacked repeated doubles, map
//   entries with their key and value swapped, missing or followed by unknown fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import protobuf from 'protobufjs';
import {
  decodeAppliedReply,
  decodeObject,
  decodeObjectFast,
  encodeObject,
  encodeObjectFast,
  MESSAGE_OPTIONS,
  messageTypes,
  UNAPPLIED_REPLY_FIELDS,
  type CoprocessObject,
} from '../../coprocess/protocol/index.js';

type Message = Record<string, unknown>;

const key = fc.string({ maxLength: 8 }).filter((k) => k !== '__proto__');
const text = fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }), fc.string({ unit: 'grapheme', maxLength: 8 }));
const int64 = fc.oneof(fc.constant(0), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }));

function scalarArb(field: protobuf.Field): fc.Arbitrary<unknown> {
  if (field.resolvedType instanceof protobuf.Enum) {
    const values = Object.entries(field.resolvedType.values);
    return fc.constantFrom(...values.map(([name]) => name), ...values.map(([, n]) => n));
  }
  switch (field.type) {
    case 'string':
      return text;
    case 'bytes':
      return fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 24 }).map((a) => Buffer.from(a)));
    case 'bool':
      return fc.boolean();
    case 'int32':
      return fc.oneof(fc.constant(0), fc.constant(-1), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    case 'int64':
      return int64;
    case 'double':
      return fc.oneof(fc.constant(0), fc.double());
    default:
      throw new Error(`no arbitrary for ${field.type}`);
  }
}

/** A random message of `type` (as the gateway or a plugin builds them), every field optional. */
function messageArb(type: protobuf.Type, depth = 0): fc.Arbitrary<Message> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of type.fieldsArray) {
    field.resolve();
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    const item = (): fc.Arbitrary<unknown> => (nested !== undefined ? (depth > 3 ? fc.constant({}) : messageArb(nested, depth + 1)) : scalarArb(field));
    if (field instanceof protobuf.MapField) fields[field.name] = fc.dictionary(key, item(), { maxKeys: 4 });
    else if (field.repeated) fields[field.name] = fc.array(item(), { maxLength: 3 });
    else fields[field.name] = nested !== undefined ? fc.option(item(), { nil: null }) : item();
  }
  return fc.record(fields, { requiredKeys: [] });
}

const objectArb = messageArb(messageTypes.Object) as fc.Arbitrary<CoprocessObject>;

// --- random wire forms of a message, written field by field with protobufjs's Writer ---------

/** A tiny deterministic generator for the choices inside one wire form. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function scalarRecord(w: protobuf.Writer, field: protobuf.Field, id: number, value: unknown): void {
  const enumType = field.resolvedType instanceof protobuf.Enum ? field.resolvedType : undefined;
  switch (enumType !== undefined ? 'enum' : field.type) {
    case 'enum':
      w.uint32((id << 3) | 0).int32(typeof value === 'number' ? value : (enumType?.values[value as string] ?? 0));
      return;
    case 'string':
      w.uint32((id << 3) | 2).string(value as string);
      return;
    case 'bytes':
      w.uint32((id << 3) | 2).bytes(value as Uint8Array);
      return;
    case 'bool':
      w.uint32((id << 3) | 0).bool(value as boolean);
      return;
    case 'int32':
      w.uint32((id << 3) | 0).int32(value as number);
      return;
    case 'int64':
      w.uint32((id << 3) | 0).int64(value as number);
      return;
    case 'double':
      w.uint32((id << 3) | 1).double(value as number);
      return;
    default:
      throw new Error(field.type);
  }
}

function unknownRecord(random: () => number): Uint8Array {
  const w = protobuf.Writer.create();
  const id = 100 + Math.floor(random() * 400);
  switch (Math.floor(random() * 5)) {
    case 0:
      w.uint32((id << 3) | 0).uint64(Math.floor(random() * 2 ** 40));
      break;
    case 1:
      w.uint32((id << 3) | 1).fixed64(Math.floor(random() * 2 ** 32));
      break;
    case 2:
      w.uint32((id << 3) | 2).bytes(Buffer.from([1, 2, 3].slice(0, Math.floor(random() * 4))));
      break;
    case 3:
      w.uint32((id << 3) | 5).fixed32(Math.floor(random() * 2 ** 32));
      break;
    default:
      // a group holding a varint, then its end
      w.uint32((id << 3) | 3).uint32(8).uint32(7).uint32((id << 3) | 4);
  }
  return w.finish();
}

const delimited = (id: number, body: Uint8Array): Uint8Array => protobuf.Writer.create().uint32((id << 3) | 2).bytes(body).finish();

/** One wire form of `message`: its records shuffled, with unknown ones and earlier duplicates of scalars. */
function wireForm(type: protobuf.Type, message: Message, random: () => number, scalarFor: (field: protobuf.Field) => unknown): Uint8Array {
  const records: Uint8Array[] = [];
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value === undefined || value === null) continue;
    const nested = field.resolvedType instanceof protobuf.Type ? field.resolvedType : undefined;
    if (field instanceof protobuf.MapField) {
      for (const [k, v] of Object.entries(value as Message)) {
        const parts: Uint8Array[] = [];
        const keyRecord = protobuf.Writer.create().uint32(10).string(k).finish();
        if (k !== '' || random() < 0.5) parts.push(keyRecord);
        if (nested !== undefined) parts.push(delimited(2, wireForm(nested, v as Message, random, scalarFor)));
        else if (v !== '' || random() < 0.5) {
          const w = protobuf.Writer.create();
          scalarRecord(w, field, 2, v);
          parts.push(w.finish());
        }
        if (random() < 0.2) parts.push(unknownRecord(random));
        if (random() < 0.3) parts.reverse();
        records.push(delimited(field.id, Buffer.concat(parts)));
      }
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      if (nested !== undefined) for (const item of items) records.push(delimited(field.id, wireForm(nested, item as Message, random, scalarFor)));
      else if (field.type === 'double' && random() < 0.5) {
        const w = protobuf.Writer.create().uint32((field.id << 3) | 2).fork();
        for (const item of items) w.double(item as number);
        records.push(w.ldelim().finish());
      } else {
        for (const item of items) {
          const w = protobuf.Writer.create();
          scalarRecord(w, field, field.id, item);
          records.push(w.finish());
        }
      }
    } else if (nested !== undefined) {
      records.push(delimited(field.id, wireForm(nested, value as Message, random, scalarFor)));
    } else {
      const w = protobuf.Writer.create();
      // an earlier occurrence with another value: the last one must win
      if (random() < 0.3) scalarRecord(w, field, field.id, scalarFor(field));
      scalarRecord(w, field, field.id, value);
      records.push(w.finish());
    }
  }
  const unknown = Math.floor(random() * 3);
  for (let i = 0; i < unknown; i++) records.push(unknownRecord(random));
  // Fisher-Yates: fields out of order (records of one repeated field or map keep no fixed order either)
  for (let i = records.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [records[i], records[j]] = [records[j] as Uint8Array, records[i] as Uint8Array];
  }
  return Buffer.concat(records);
}

const decoyScalars = (random: () => number) => (field: protobuf.Field): unknown => {
  if (field.resolvedType instanceof protobuf.Enum) return 1;
  switch (field.type) {
    case 'string':
      return `decoy${Math.floor(random() * 10)}`;
    case 'bytes':
      return Buffer.from('decoy');
    case 'bool':
      return random() < 0.5;
    case 'double':
      return random();
    default:
      return Math.floor(random() * 100) - 50;
  }
};

/** The reference decoding with the fields the gateway does not apply at their defaults. */
function appliedOnly(object: Message): Message {
  const out = structuredClone(object);
  const blank = (message: Message | null, type: protobuf.Type) => {
    if (message === null) return;
    const template = decodeTemplate(type);
    for (const name of UNAPPLIED_REPLY_FIELDS[type.name] ?? []) message[name] = structuredClone(template[name]);
  };
  blank(out, messageTypes.Object);
  blank(out['request'] as Message | null, messageTypes.root.lookupType('coprocess.MiniRequestObject'));
  blank(out['response'] as Message | null, messageTypes.root.lookupType('coprocess.ResponseObject'));
  return out;
}

/** A message of `type` with every field at its default, as the reference decoder gives it. */
function decodeTemplate(type: protobuf.Type): Message {
  return type.toObject(type.decode(new Uint8Array(0)), MESSAGE_OPTIONS) as Message;
}

/** structuredClone turns Buffers into Uint8Arrays; compare bytes as Buffers. */
function normalise(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(normalise);
  if (value !== null && typeof value === 'object') {
    const out: Message = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '__proto__') Object.defineProperty(out, k, { value: normalise(v), enumerable: true, writable: true, configurable: true });
      else out[k] = normalise(v);
    }
    return out;
  }
  return value;
}

describe('fast Object codec against the reference codec', () => {
  it('encodes random Objects to what the reference decoder reads as the reference encoding', () => {
    fc.assert(
      fc.property(objectArb, fc.boolean(), (object, freezeSpec) => {
        if (freezeSpec && object.spec != null) Object.freeze(object.spec);
        const reference = encodeObject(object);
        const fast = encodeObjectFast(object);
        assert.ok(fast !== undefined, 'plain values must not need the reference encoder');
        assert.deepEqual(decodeObject(fast), decodeObject(reference));
        // stronger than required, and true for these inputs: the same bytes
        assert.deepEqual(Buffer.from(fast), reference);
        // the spec's cached bytes are reused on a second call
        assert.deepEqual(Buffer.from(encodeObjectFast(object) as Buffer), reference);
      }),
      { seed: 80801, numRuns: 300 },
    );
  });

  it('hands values only the reference handles back to it (undefined), never a wrong encoding', () => {
    assert.equal(encodeObjectFast({ session: { expires: '12' as unknown as number } }), undefined);
    assert.equal(encodeObjectFast({ request: { raw_body: 'aGk=' as unknown as Buffer } }), undefined);
    assert.equal(encodeObjectFast({ hook_type: 'NoSuchHook' as 'Pre' }), undefined);
    assert.equal(encodeObjectFast({ metadata: { a: 1 as unknown as string } }), undefined);
  });

  it('decodes random wire forms of random replies as the reference decoder does', () => {
    fc.assert(
      fc.property(objectArb, fc.integer(), (object, seed) => {
        const random = rng(seed);
        const bytes = wireForm(messageTypes.Object, object as Message, random, decoyScalars(random));
        const reference = decodeObject(bytes) as unknown as Message;
        assert.deepEqual(normalise(decodeObjectFast(bytes)), normalise(reference));
        assert.deepEqual(normalise(decodeAppliedReply(bytes)), normalise(appliedOnly(reference)));
      }),
      { seed: 80802, numRuns: 300 },
    );
  });

  it('decodes the reference encoding of random Objects as the reference decoder does', () => {
    fc.assert(
      fc.property(objectArb, (object) => {
        const bytes = encodeObject(object);
        assert.deepEqual(normalise(decodeObjectFast(bytes)), normalise(decodeObject(bytes)));
      }),
      { seed: 80803, numRuns: 200 },
    );
  });

  it('refuses truncated and malformed input, as the reference decoder does', () => {
    fc.assert(
      fc.property(objectArb, fc.nat(), (object, cut) => {
        const bytes = encodeObject(object);
        if (bytes.length === 0) return;
        const truncated = bytes.subarray(0, cut % bytes.length);
        let referenceFailed = false;
        try {
          decodeObject(truncated);
        } catch {
          referenceFailed = true;
        }
        if (referenceFailed) {
          assert.throws(() => decodeObjectFast(truncated));
          assert.throws(() => decodeAppliedReply(truncated));
        }
      }),
      { seed: 80804, numRuns: 300 },
    );
    assert.throws(() => decodeAppliedReply(Buffer.from([0x1a, 0x05, 0x01])), /index out of range/);
    assert.throws(() => decodeAppliedReply(Buffer.from([0x0f])), /wire type/);
  });
});
