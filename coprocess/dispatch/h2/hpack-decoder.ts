import { DEFAULT_HEADER_TABLE_SIZE, ErrorCode, H2ProtocolError } from './frames.js';
import { STATIC_TABLE } from './hpack-static.js';
import { huffmanDecode } from './huffman.js';

/** RFC 7541 4.1: an entry's size is its name and value octets plus 32. */
const ENTRY_OVERHEAD = 32;
/** Bounds the decoded header list, since a few bytes can repeat a 4 KB table entry many times. */
export const DEFAULT_MAX_HEADER_LIST_BYTES = 256 * 1024;

const compressionError = (why: string) => new H2ProtocolError(ErrorCode.COMPRESSION_ERROR, `HPACK: ${why}`);

/**
 * HPACK decoding (RFC 7541) for one connection's header blocks: indexed fields from the static and
 * dynamic tables, literals with and without indexing (never-indexed included), dynamic table size
 * updates, Huffman-coded strings. Every block on the connection must pass through the same decoder
 * in order, even blocks of streams already closed, or the tables drift apart. Strings are octets
 * (latin1); fields from the tables come back as the same string objects, so a server that indexes
 * its usual headers costs no allocation per field.
 */
export class HpackDecoder {
  /** Dynamic table, oldest first: dynamic index 1 (HPACK index 62) is the last element. */
  private readonly names: string[] = [];
  private readonly values: string[] = [];
  private size = 0;
  private maxSize: number;

  constructor(
    /** SETTINGS_HEADER_TABLE_SIZE as advertised: the most a size update may ask for. */
    private readonly limit = DEFAULT_HEADER_TABLE_SIZE,
    private readonly maxHeaderListBytes = DEFAULT_MAX_HEADER_LIST_BYTES,
  ) {
    this.maxSize = limit;
  }

  /** The dynamic table, newest first, and its size: for tests against RFC 7541 Appendix C. */
  get table(): { readonly entries: [string, string][]; readonly size: number } {
    const entries: [string, string][] = [];
    for (let i = this.names.length - 1; i >= 0; i--) entries.push([this.names[i] as string, this.values[i] as string]);
    return { entries, size: this.size };
  }

  /** Decodes one complete header block to [name, value, name, value, ...]. Throws H2ProtocolError. */
  decode(block: Buffer): string[] {
    const out: string[] = [];
    const end = block.length;
    let pos = 0;
    let listBytes = 0;

    const integer = (prefixBits: number): number => {
      const max = (1 << prefixBits) - 1;
      let value = (block[pos++] as number) & max;
      if (value < max) return value;
      for (let shift = 0; ; shift += 7) {
        if (pos >= end) throw compressionError('an integer runs past the end of the block');
        const byte = block[pos++] as number;
        value += (byte & 0x7f) * 2 ** shift;
        if (value > 0x7fffffff) throw compressionError('an integer is too large');
        if ((byte & 0x80) === 0) return value;
      }
    };
    const string = (): string => {
      if (pos >= end) throw compressionError('a string is missing');
      const huffman = ((block[pos] as number) & 0x80) !== 0;
      const length = integer(7);
      if (length > end - pos) throw compressionError('a string runs past the end of the block');
      const start = pos;
      pos += length;
      return huffman ? huffmanDecode(block, start, pos) : block.toString('latin1', start, pos);
    };
    const emit = (name: string, value: string) => {
      listBytes += name.length + value.length + ENTRY_OVERHEAD;
      if (listBytes > this.maxHeaderListBytes) {
        throw new H2ProtocolError(ErrorCode.ENHANCE_YOUR_CALM, `HPACK: a header list over ${this.maxHeaderListBytes} bytes`);
      }
      out.push(name, value);
    };

    while (pos < end) {
      const first = block[pos] as number;
      if ((first & 0x80) !== 0) {
        // Indexed field (6.1).
        const index = integer(7);
        emit(this.name(index), this.value(index));
      } else if ((first & 0x40) !== 0) {
        // Literal with incremental indexing (6.2.1).
        const index = integer(6);
        const name = index === 0 ? string() : this.name(index);
        const value = string();
        this.insert(name, value);
        emit(name, value);
      } else if ((first & 0x20) !== 0) {
        // Dynamic table size update (6.3): only before the block's first field.
        if (out.length > 0) throw compressionError('a table size update after a header field');
        const size = integer(5);
        if (size > this.limit) throw compressionError(`a table size update to ${size}, over the ${this.limit} allowed`);
        this.maxSize = size;
        this.evict(0);
      } else {
        // Literal without indexing (6.2.2) or never indexed (6.2.3): the same to a decoder.
        const index = integer(4);
        const name = index === 0 ? string() : this.name(index);
        emit(name, string());
      }
    }
    return out;
  }

  private name(index: number): string {
    return this.entry(index, this.names, 0);
  }

  private value(index: number): string {
    return this.entry(index, this.values, 1);
  }

  private entry(index: number, dynamic: string[], field: 0 | 1): string {
    if (index === 0) throw compressionError('index 0');
    if (index <= STATIC_TABLE.length) return (STATIC_TABLE[index - 1] as readonly [string, string])[field];
    const at = dynamic.length - (index - STATIC_TABLE.length);
    if (at < 0) throw compressionError(`index ${index} is past the end of the tables`);
    return dynamic[at] as string;
  }

  private insert(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    // An entry larger than the table empties it and is not added (4.4).
    this.evict(entrySize);
    if (entrySize > this.maxSize) return;
    this.names.push(name);
    this.values.push(value);
    this.size += entrySize;
  }

  /** Evicts the oldest entries until `room` more bytes fit. */
  private evict(room: number): void {
    while (this.names.length > 0 && this.size + room > this.maxSize) {
      const name = this.names.shift() as string;
      const value = this.values.shift() as string;
      this.size -= name.length + value.length + ENTRY_OVERHEAD;
    }
  }
}
