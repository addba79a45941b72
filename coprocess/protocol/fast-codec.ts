/**
 * A table-driven protobuf codec for the coprocess messages, built once at load from the same
 * .proto reflection the reference codec (codec.ts) uses, so field numbers and types cannot drift.
 *
 * Why: on the hook path the reference codec (protobufjs `fromObject` + `encode`, `decode` +
 * `toObject`) cost ~40 us per Dispatch, more than the h2 call itself. This one writes straight
 * from the plain objects into one buffer, reuses the encoded bytes of an API's frozen `spec`, and
 * decodes straight into plain objects, optionally skipping the reply fields the gateway never
 * applies. Its output must decode to the same message as the reference encoder's, and its decoder
 * must agree with the reference decoder (test/unit/proto-fast.test.ts checks both on random
 * messages). Anything it does not handle (int64 given as strings or Longs, bytes as base64, values
 * of the wrong JS type) makes `encodeObjectFast` return undefined, and the caller uses the
 * reference encoder.
 */
import protobuf from 'protobufjs';
import type { Object as CoprocessObject, Object__Output } from './generated/coprocess/Object.js';
import { messageTypes } from './codec.js';

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

type ScalarKind = 'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'double' | 'enum';

interface Slot {
  readonly name: string;
  readonly number: number;
  readonly kind: 'scalar' | 'message' | 'repeated' | 'map';
  /** The scalar (or map value / repeated item) type, when not a message. */
  readonly scalar: ScalarKind | undefined;
  /** The message type of a message field, a repeated message, or a map's values. */
  plan: Plan | undefined;
  /** The tag of the field's wire form (for repeated doubles: the packed form). */
  readonly tag: number;
  /** Enum values by name and name by number. */
  readonly enumValues: Readonly<Record<string, number>> | undefined;
  readonly enumNames: Readonly<Record<number, string>> | undefined;
  /** Skipped by the decoder of this plan (left at its default). */
  skip: boolean;
}

interface Plan {
  readonly name: string;
  /** In field number order, as the reference encoder writes them. */
  readonly slots: readonly Slot[];
  /** Indexed by field number. */
  readonly byNumber: readonly (Slot | undefined)[];
  /** A new message with every field at its default. */
  make: () => Record<string, unknown>;
}

const EMPTY_BYTES = Buffer.alloc(0);

function scalarKindOf(type: string, resolved: protobuf.ReflectionObject | null): ScalarKind {
  if (resolved instanceof protobuf.Enum) return 'enum';
  switch (type) {
    case 'string':
    case 'bytes':
    case 'bool':
    case 'int32':
    case 'int64':
    case 'double':
      return type;
    default:
      throw new Error(`fast codec: field type ${type} is not used by the coprocess protocol`);
  }
}

const wireOf = (scalar: ScalarKind): number =>
  scalar === 'string' || scalar === 'bytes' ? WIRE_LEN : scalar === 'double' ? WIRE_I64 : WIRE_VARINT;

/** Plans for every message type, built from reflection; `skips` names fields a decoder leaves out. */
function buildPlans(skips: Readonly<Record<string, readonly string[]>>): Map<string, Plan> {
  const plans = new Map<string, Plan>();
  const pending: [Slot, protobuf.Type][] = [];
  const planOf = (type: protobuf.Type): Plan => {
    const existing = plans.get(type.fullName);
    if (existing !== undefined) return existing;
    const slots: Slot[] = [];
    const byNumber: (Slot | undefined)[] = [];
    const plan: Plan = { name: type.fullName, slots, byNumber, make: () => ({}) };
    plans.set(type.fullName, plan);
    const skipped = new Set(skips[type.name] ?? []);
    for (const field of [...type.fieldsArray].sort((a, b) => a.id - b.id)) {
      field.resolve();
      const resolved = field.resolvedType;
      const isMessage = resolved instanceof protobuf.Type;
      const map = field instanceof protobuf.MapField;
      const kind = map ? 'map' : field.repeated ? 'repeated' : isMessage ? 'message' : 'scalar';
      const scalar = isMessage ? undefined : scalarKindOf(field.type, resolved);
      if (map && (field as protobuf.MapField).keyType !== 'string') throw new Error('fast codec: only string map keys are used by the protocol');
      const wire = kind === 'scalar' && scalar !== undefined ? wireOf(scalar) : WIRE_LEN;
      const en = resolved instanceof protobuf.Enum ? resolved : undefined;
      const slot: Slot = {
        name: field.name,
        number: field.id,
        kind,
        scalar,
        plan: undefined,
        tag: (field.id << 3) | wire,
        enumValues: en?.values,
        enumNames: en === undefined ? undefined : Object.fromEntries(Object.entries(en.values).map(([k, v]) => [v, k])),
        skip: skipped.has(field.name),
      };
      if (scalar === 'bytes' && kind !== 'scalar') throw new Error('fast codec: repeated bytes are not used by the protocol');
      if (isMessage) pending.push([slot, resolved]);
      slots.push(slot);
      byNumber[field.id] = slot;
    }
    plan.make = defaultsFactory(plan);
    return plan;
  };
  planOf(messageTypes.Object);
  planOf(messageTypes.Event);
  while (pending.length > 0) {
    const [slot, type] = pending.pop() as [Slot, protobuf.Type];
    slot.plan = planOf(type);
  }
  return plans;
}

// ---------------------------------------------------------------------------------------------
// Encoding

/** Thrown inside the encoder when a value is not of the plain JS type it handles. */
class Unsupported extends Error {}
const unsupported = new Unsupported('unsupported value');

class Writer {
  buf: Buffer;
  pos = 0;

  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(size);
  }

  ensure(more: number): void {
    if (this.pos + more <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + more));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 127) {
      buf[this.pos++] = (v & 127) | 128;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A signed 64-bit varint from a safe integer (negative ones take 10 bytes, as int32 -1 does). */
  varint64(value: number): void {
    this.ensure(10);
    let lo: number;
    let hi: number;
    if (value >= 0) {
      lo = value >>> 0;
      hi = Math.floor(value / 4294967296) >>> 0;
    } else {
      const abs = -value;
      let l = abs >>> 0;
      let h = Math.floor(abs / 4294967296) >>> 0;
      // two's complement of (h, l)
      l = ~l >>> 0;
      h = ~h >>> 0;
      l = (l + 1) >>> 0;
      if (l === 0) h = (h + 1) >>> 0;
      lo = l;
      hi = h;
    }
    const buf = this.buf;
    while (hi !== 0 || lo > 127) {
      buf[this.pos++] = (lo & 127) | 128;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    buf[this.pos++] = lo;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  string(value: string): void {
    const n = value.length;
    if (n < 64) {
      // Short ASCII strings (header names, values, map keys): a loop beats a call into C++.
      this.ensure(n + 1);
      const start = this.pos;
      const buf = this.buf;
      buf[start] = n;
      let i = 0;
      for (; i < n; i++) {
        const c = value.charCodeAt(i);
        if (c >= 128) break;
        buf[start + 1 + i] = c;
      }
      if (i === n) {
        this.pos = start + 1 + n;
        return;
      }
    }
    const length = Buffer.byteLength(value, 'utf8');
    this.varint(length);
    this.ensure(length);
    this.buf.write(value, this.pos, length, 'utf8');
    this.pos += length;
  }

  bytes(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  raw(value: Uint8Array): void {
    this.ensure(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
  }

  /** Reserves one byte for a length; `end` writes it, moving the body if it needs more. */
  begin(): number {
    this.ensure(1);
    return this.pos++;
  }

  end(mark: number): void {
    const length = this.pos - mark - 1;
    if (length < 128) {
      this.buf[mark] = length;
      return;
    }
    const size = length < 1 << 14 ? 2 : length < 1 << 21 ? 3 : length < 1 << 28 ? 4 : 5;
    this.ensure(size - 1);
    this.buf.copyWithin(mark + size, mark + 1, this.pos);
    this.pos += size - 1;
    let v = length;
    let at = mark;
    while (v > 127) {
      this.buf[at++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.buf[at] = v;
  }
}

/** Writes one scalar at its field unless it is the proto3 default (the reference omits those). */
function writeScalar(w: Writer, tag: number, scalar: ScalarKind, value: unknown, slot: Slot): void {
  switch (scalar) {
    case 'string':
      if (typeof value !== 'string') throw unsupported;
      if (value === '') return;
      w.varint(tag);
      w.string(value);
      return;
    case 'bytes':
      if (!(value instanceof Uint8Array)) throw unsupported;
      if (value.length === 0) return;
      w.varint(tag);
      w.bytes(value);
      return;
    case 'bool':
      if (typeof value !== 'boolean') throw unsupported;
      if (!value) return;
      w.varint(tag);
      w.varint(1);
      return;
    case 'int32': {
      if (typeof value !== 'number') throw unsupported;
      const v = value | 0;
      if (v === 0) return;
      w.varint(tag);
      if (v < 0) w.varint64(v);
      else w.varint(v);
      return;
    }
    case 'int64':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw unsupported;
      if (value === 0) return;
      w.varint(tag);
      w.varint64(value);
      return;
    case 'double':
      if (typeof value !== 'number') throw unsupported;
      if (value === 0) return;
      w.varint(tag);
      w.double(value);
      return;
    case 'enum': {
      const v = typeof value === 'number' ? value | 0 : typeof value === 'string' ? slot.enumValues?.[value] : undefined;
      if (v === undefined) throw unsupported;
      if (v === 0) return;
      w.varint(tag);
      if (v < 0) w.varint64(v);
      else w.varint(v);
      return;
    }
  }
}

/** A map or repeated item's value, always written (as the reference writes map entries). */
function writeValue(w: Writer, tag: number, scalar: ScalarKind, value: unknown): void {
  w.varint(tag);
  switch (scalar) {
    case 'string':
      if (typeof value !== 'string') throw unsupported;
      w.string(value);
      return;
    case 'double':
      if (typeof value !== 'number') throw unsupported;
      w.double(value);
      return;
    default:
      // Maps and repeated fields of the protocol hold strings, doubles or messages only.
      throw unsupported;
  }
}

function writeMessage(w: Writer, plan: Plan, message: Record<string, unknown>): void {
  for (const slot of plan.slots) {
    const value = message[slot.name];
    if (value === undefined || value === null) continue;
    writeField(w, slot, value);
  }
}

function writeField(w: Writer, slot: Slot, value: unknown): void {
  switch (slot.kind) {
    case 'scalar':
      writeScalar(w, slot.tag, slot.scalar as ScalarKind, value, slot);
      return;
    case 'message': {
      if (typeof value !== 'object') throw unsupported;
      w.varint(slot.tag);
      const mark = w.begin();
      writeMessage(w, slot.plan as Plan, value as Record<string, unknown>);
      w.end(mark);
      return;
    }
    case 'repeated': {
      if (!Array.isArray(value)) throw unsupported;
      if (value.length === 0) return;
      if (slot.scalar === 'double') {
        // proto3 packs repeated scalars
        w.varint(slot.tag);
        w.varint(value.length * 8);
        for (const item of value) {
          if (typeof item !== 'number') throw unsupported;
          w.double(item);
        }
        return;
      }
      if (slot.plan !== undefined) {
        for (const item of value) {
          if (item === null || typeof item !== 'object') throw unsupported;
          w.varint(slot.tag);
          const mark = w.begin();
          writeMessage(w, slot.plan, item as Record<string, unknown>);
          w.end(mark);
        }
        return;
      }
      for (const item of value) writeValue(w, slot.tag, slot.scalar as ScalarKind, item);
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) throw unsupported;
      const record = value as Record<string, unknown>;
      for (const key in record) {
        if (!Object.hasOwn(record, key)) continue;
        const item = record[key];
        w.varint(slot.tag);
        const mark = w.begin();
        w.varint(10);
        w.string(key);
        if (slot.plan !== undefined) {
          if (item === null || typeof item !== 'object') throw unsupported;
          w.varint(18);
          const inner = w.begin();
          writeMessage(w, slot.plan, item as Record<string, unknown>);
          w.end(inner);
        } else writeValue(w, 18, slot.scalar as ScalarKind, item);
        w.end(mark);
      }
      return;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

class DecodeError extends Error {}

/** Node's Buffer method behind `toString('utf8', ...)`, without its argument checks (as protobufjs reads strings). */
type Utf8Slicing = Buffer & { utf8Slice(start: number, end: number): string };

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    public end: number,
  ) {}

  varint(): number {
    // The low 32 bits, as protobufjs's uint32() reads them; the rest of a longer varint is skipped.
    const buf = this.buf;
    let value = 0;
    let shift = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('index out of range');
      const b = buf[this.pos++] as number;
      if (shift < 32) value |= (b & 127) << shift;
      shift += 7;
      if (b < 128) return value >>> 0;
    }
    throw new DecodeError('invalid varint encoding');
  }

  /** A signed 64-bit varint as a number, as protobufjs's Long.toNumber() gives it. */
  int64(): number {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new DecodeError('index out of range');
      const b = buf[this.pos++] as number;
      if (i < 4) lo |= (b & 127) << (i * 7);
      else if (i === 4) {
        lo |= (b & 15) << 28;
        hi |= (b & 127) >> 4;
      } else hi |= (b & 127) << (i * 7 - 32);
      if (b < 128) return (hi | 0) * 4294967296 + (lo >>> 0);
    }
    throw new DecodeError('invalid varint encoding');
  }

  length(): number {
    const n = this.varint();
    if (this.pos + n > this.end) throw new DecodeError('index out of range');
    return n;
  }

  skip(wire: number, depth: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        this.advance(8);
        return;
      case WIRE_LEN:
        this.advance(this.length());
        return;
      case 3: {
        if (depth > 100) throw new DecodeError('maximum nesting depth exceeded');
        for (;;) {
          const tag = this.varint();
          const w = tag & 7;
          if (w === 4) return;
          this.skip(w, depth + 1);
        }
      }
      case WIRE_I32:
        this.advance(4);
        return;
      default:
        throw new DecodeError(`invalid wire type ${wire} at offset ${this.pos}`);
    }
  }

  advance(n: number): void {
    if (this.pos + n > this.end) throw new DecodeError('index out of range');
    this.pos += n;
  }

  string(): string {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return n === 0 ? '' : (this.buf as Utf8Slicing).utf8Slice(start, start + n);
  }

  bytes(): Buffer {
    const n = this.length();
    const start = this.pos;
    this.pos += n;
    return this.buf.subarray(start, start + n);
  }

  double(): number {
    this.advance(8);
    return this.buf.readDoubleLE(this.pos - 8);
  }
}

function defaultScalar(slot: Slot, scalar: ScalarKind): unknown {
  switch (scalar) {
    case 'string':
      return '';
    case 'bytes':
      return EMPTY_BYTES;
    case 'bool':
      return false;
    case 'enum':
      return slot.enumNames?.[0] ?? 0;
    default:
      return 0;
  }
}

/**
 * A function making a message with every field at its default, as `toObject` with `defaults:
 * true` gives an empty message. Generated once per type so every decoded message of that type
 * has the same shape (one hidden class), which a loop of dynamic assignments would not give.
 */
function defaultsFactory(plan: Plan): () => Record<string, unknown> {
  const parts = plan.slots.map((slot) => {
    const key = JSON.stringify(slot.name);
    if (slot.kind === 'map') return `${key}: {}`;
    if (slot.kind === 'repeated') return `${key}: []`;
    if (slot.kind === 'message') return `${key}: null`;
    if (slot.scalar === 'bytes') return `${key}: EMPTY`;
    return `${key}: ${JSON.stringify(defaultScalar(slot, slot.scalar as ScalarKind))}`;
  });
  // eslint-disable-next-line @typescript-eslint/no-implied-eval -- built from the .proto reflection, no outside input
  return new Function('EMPTY', `return () => ({ ${parts.join(', ')} });`)(EMPTY_BYTES) as () => Record<string, unknown>;
}

function readScalar(r: Reader, slot: Slot, scalar: ScalarKind, wire: number): unknown {
  const expected = wireOf(scalar);
  if (wire !== expected) throw new DecodeError(`field ${slot.name}: wire type ${wire}, expected ${expected}`);
  switch (scalar) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.varint() !== 0;
    case 'int32':
      return r.varint() | 0;
    case 'int64':
      return r.int64();
    case 'double':
      return r.double();
    case 'enum': {
      const v = r.varint() | 0;
      return slot.enumNames?.[v] ?? v;
    }
  }
}

const setKey = (target: Record<string, unknown>, key: string, value: unknown): void => {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
};

function readMessage(r: Reader, plan: Plan, end: number, depth: number, skipping: boolean): Record<string, unknown> {
  if (depth > 100) throw new DecodeError('maximum nesting depth exceeded');
  const outer = r.end;
  r.end = end;
  const out = plan.make();
  while (r.pos < end) {
    const tag = r.varint();
    const wire = tag & 7;
    const slot = plan.byNumber[tag >>> 3];
    if (slot === undefined || (skipping && slot.skip)) {
      r.skip(wire, depth);
      continue;
    }
    switch (slot.kind) {
      case 'scalar':
        out[slot.name] = readScalar(r, slot, slot.scalar as ScalarKind, wire);
        break;
      case 'message': {
        if (wire !== WIRE_LEN) throw new DecodeError(`field ${slot.name}: wire type ${wire}, expected 2`);
        const n = r.length();
        // protobufjs replaces a message field that occurs twice (it does not merge)
        out[slot.name] = readMessage(r, slot.plan as Plan, r.pos + n, depth + 1, skipping);
        break;
      }
      case 'repeated': {
        const list = out[slot.name] as unknown[];
        if (slot.plan !== undefined) {
          if (wire !== WIRE_LEN) throw new DecodeError(`field ${slot.name}: wire type ${wire}, expected 2`);
          const n = r.length();
          list.push(readMessage(r, slot.plan, r.pos + n, depth + 1, skipping));
        } else if (slot.scalar === 'double' && wire === WIRE_LEN) {
          const n = r.length();
          const stop = r.pos + n;
          while (r.pos < stop) list.push(r.double());
          if (r.pos !== stop) throw new DecodeError('index out of range');
        } else list.push(readScalar(r, slot, slot.scalar as ScalarKind, wire));
        break;
      }
      case 'map': {
        if (wire !== WIRE_LEN) throw new DecodeError(`field ${slot.name}: wire type ${wire}, expected 2`);
        const n = r.length();
        const stop = r.pos + n;
        const saved = r.end;
        r.end = stop;
        let key = '';
        let value: unknown = slot.plan === undefined ? defaultScalar(slot, slot.scalar as ScalarKind) : undefined;
        while (r.pos < stop) {
          const t = r.varint();
          const field = t >>> 3;
          if (field === 1 && (t & 7) === WIRE_LEN) key = r.string();
          else if (field === 2 && slot.plan !== undefined && (t & 7) === WIRE_LEN) {
            const m = r.length();
            value = readMessage(r, slot.plan, r.pos + m, depth + 1, skipping);
          } else if (field === 2 && slot.plan === undefined) value = readScalar(r, slot, slot.scalar as ScalarKind, t & 7);
          else r.skip(t & 7, depth);
        }
        r.end = saved;
        if (r.pos !== stop) throw new DecodeError('index out of range');
        // A map entry without its message value holds an empty message (as Go and grpcio decode it).
        setKey(out[slot.name] as Record<string, unknown>, key, value ?? (slot.plan as Plan).make());
        break;
      }
    }
  }
  if (r.pos !== end) throw new DecodeError('index out of range');
  r.end = outer;
  return out;
}

// ---------------------------------------------------------------------------------------------
// The coprocess Object

/**
 * Reply fields the gateway never reads (protocol.md 2.5-2.11): the hook's name and type, the
 * echoed `spec`, and the request's and response's read-only views. `decodeAppliedReply` leaves
 * them at their defaults.
 */
export const UNAPPLIED_REPLY_FIELDS: Readonly<Record<string, readonly string[]>> = {
  Object: ['hook_type', 'hook_name', 'spec'],
  MiniRequestObject: ['headers', 'body', 'params', 'extended_params', 'request_uri', 'scheme'],
  ResponseObject: ['body'],
};

const plans = buildPlans(UNAPPLIED_REPLY_FIELDS);
const OBJECT = plans.get('.coprocess.Object') as Plan;
const slotOf = (plan: Plan, name: string): Slot => plan.slots.find((s) => s.name === name) as Slot;
const SPEC = slotOf(OBJECT, 'spec');

/** The encoded `spec` field of frozen spec maps (an API's, built once at load). */
const specBytes = new WeakMap<object, Buffer>();

function encodedSpec(spec: Record<string, unknown>): Buffer {
  let bytes = specBytes.get(spec);
  if (bytes === undefined) {
    const w = new Writer(256);
    writeField(w, SPEC, spec);
    bytes = Buffer.from(w.buf.subarray(0, w.pos));
    specBytes.set(spec, bytes);
  }
  return bytes;
}

/**
 * Encodes an Object as the reference `encodeObject` does (the same message on the wire), or
 * returns undefined when a value is of a type only the reference handles. A frozen `spec` is
 * encoded once and its bytes reused.
 */
export function encodeObjectFast(object: CoprocessObject): Buffer | undefined {
  const w = new Writer(1024);
  const message = object as unknown as Record<string, unknown>;
  try {
    for (const slot of OBJECT.slots) {
      const value = message[slot.name];
      if (value === undefined || value === null) continue;
      if (slot === SPEC && Object.isFrozen(value)) w.raw(encodedSpec(value as Record<string, unknown>));
      else writeField(w, slot, value);
    }
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
  return w.buf.subarray(0, w.pos);
}

/** Every field of an Object, as the reference `decodeObject` gives them. Throws on malformed input. */
export function decodeObjectFast(bytes: Uint8Array): Object__Output {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readMessage(new Reader(buf, buf.length), OBJECT, buf.length, 0, false) as unknown as Object__Output;
}

/**
 * The fields of a reply the gateway applies (request changes, return_overrides, session,
 * metadata, response), as the reference decoder gives them; the fields in
 * UNAPPLIED_REPLY_FIELDS are skipped on the wire and left at their defaults. Throws on malformed
 * input (in the fields it reads, and in the framing of those it skips).
 */
export function decodeAppliedReply(bytes: Uint8Array): Object__Output {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return readMessage(new Reader(buf, buf.length), OBJECT, buf.length, 0, true) as unknown as Object__Output;
}
