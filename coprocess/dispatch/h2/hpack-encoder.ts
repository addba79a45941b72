import { STATIC_NAME_INDEX, STATIC_PAIR_INDEX } from './hpack-static.js';

/**
 * HPACK encoding (RFC 7541) as a client that never touches the dynamic table may do it: a field in
 * the static table is indexed, anything else is a literal without indexing, with the static index
 * of its name when there is one, and strings are sent as they are (no Huffman). The server's
 * decoder then keeps no state for us, and the constant part of a request's header block can be
 * encoded once and reused as bytes.
 */

function integerLength(value: number, prefixBits: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) return 1;
  let length = 2;
  for (let rest = value - max; rest >= 0x80; rest = Math.floor(rest / 0x80)) length++;
  return length;
}

/** Writes an integer with an N-bit prefix (5.1); `high` holds the first byte's bits above the prefix. */
function writeInteger(buf: Buffer, at: number, value: number, prefixBits: number, high: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    buf[at++] = high | value;
    return at;
  }
  buf[at++] = high | max;
  let rest = value - max;
  while (rest >= 0x80) {
    buf[at++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  buf[at++] = rest;
  return at;
}

function stringLength(text: string): number {
  return integerLength(text.length, 7) + text.length;
}

function writeString(buf: Buffer, at: number, text: string): number {
  at = writeInteger(buf, at, text.length, 7, 0);
  return at + buf.write(text, at, 'latin1');
}

/** Bytes one field takes. Names must be lower case; names and values are octets (latin1). */
export function fieldLength(name: string, value: string): number {
  if (STATIC_PAIR_INDEX.has(`${name}\0${value}`)) return integerLength(STATIC_PAIR_INDEX.get(`${name}\0${value}`) as number, 7);
  const nameIndex = STATIC_NAME_INDEX.get(name);
  return (nameIndex === undefined ? 1 + stringLength(name) : integerLength(nameIndex, 4)) + stringLength(value);
}

/** Writes one field at `at` and returns the offset after it. */
export function writeField(buf: Buffer, at: number, name: string, value: string): number {
  const pair = STATIC_PAIR_INDEX.get(`${name}\0${value}`);
  if (pair !== undefined) return writeInteger(buf, at, pair, 7, 0x80);
  const nameIndex = STATIC_NAME_INDEX.get(name);
  if (nameIndex === undefined) {
    buf[at++] = 0x00;
    at = writeString(buf, at, name);
  } else {
    at = writeInteger(buf, at, nameIndex, 4, 0x00);
  }
  return writeString(buf, at, value);
}

/** Encodes a whole header block. */
export function encodeHeaders(fields: readonly (readonly [name: string, value: string])[]): Buffer {
  let length = 0;
  for (const [name, value] of fields) length += fieldLength(name, value);
  const buf = Buffer.allocUnsafe(length);
  let at = 0;
  for (const [name, value] of fields) at = writeField(buf, at, name, value);
  return buf;
}
