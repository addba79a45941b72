import { ErrorCode, H2ProtocolError } from './frames.js';
import { HUFFMAN_CODE_TABLE } from './huffman-table.js';

const EOS = 256;
const code = (symbol: number): number => HUFFMAN_CODE_TABLE[symbol * 2] as number;
const bits = (symbol: number): number => HUFFMAN_CODE_TABLE[symbol * 2 + 1] as number;

/**
 * The decoder walks a table of 4-bit steps (as nghttp2 does): a state is an inner node of the code
 * tree, and a nibble from any state completes at most one symbol, since the shortest code is 5
 * bits. Built once: 256 states x 16 nibbles.
 */
const STEP_EMIT = 1 << 8;
const STEP_FAIL = 1 << 9;
const STEP_ACCEPT = 1 << 10;

const steps: Uint32Array = (() => {
  // The tree: node n's children at 2n (bit 0) and 2n+1 (bit 1); >= 0 is an inner node, < 0 is ~symbol.
  const UNSET = 0x7fffffff;
  const tree = new Int32Array(512).fill(UNSET);
  let nodes = 1;
  for (let symbol = 0; symbol <= EOS; symbol++) {
    let node = 0;
    for (let bit = bits(symbol) - 1; bit > 0; bit--) {
      const slot = node * 2 + (Math.floor(code(symbol) / 2 ** bit) & 1);
      if (tree[slot] === UNSET) tree[slot] = nodes++;
      node = tree[slot] as number;
    }
    tree[node * 2 + (code(symbol) & 1)] = ~symbol;
  }
  // A string may end only where the bits since the last symbol are fewer than 8 and all ones (EOS's prefix).
  const accepting = new Uint8Array(nodes);
  accepting[0] = 1;
  for (let node = 0, depth = 0; depth < 7; depth++) {
    const next = tree[node * 2 + 1] as number;
    if (next < 0) break;
    accepting[next] = 1;
    node = next;
  }
  const table = new Uint32Array(nodes * 16);
  for (let state = 0; state < nodes; state++) {
    for (let nibble = 0; nibble < 16; nibble++) {
      let node = state;
      let entry = 0;
      for (let i = 3; i >= 0; i--) {
        const next = tree[node * 2 + ((nibble >> i) & 1)] as number;
        if (next >= 0) {
          node = next;
          continue;
        }
        if (~next === EOS) {
          entry |= STEP_FAIL;
          break;
        }
        entry |= STEP_EMIT | (~next << 16);
        node = 0;
      }
      table[state * 16 + nibble] = entry | node | (accepting[node] === 1 ? STEP_ACCEPT : 0);
    }
  }
  return table;
})();

const invalid = (why: string) => new H2ProtocolError(ErrorCode.COMPRESSION_ERROR, `invalid Huffman-coded string: ${why}`);

/** Decodes `buf[start, end)` to a string of octets (latin1). Throws H2ProtocolError (COMPRESSION_ERROR). */
export function huffmanDecode(buf: Buffer, start: number, end: number): string {
  // The shortest code is 5 bits, so n bytes hold at most 8n/5 symbols.
  const out = Buffer.allocUnsafe(Math.ceil(((end - start) * 8) / 5));
  let length = 0;
  let state = 0;
  let accept = true;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    for (let shift = 4; shift >= 0; shift -= 4) {
      const entry = steps[state * 16 + ((byte >> shift) & 0xf)] as number;
      if ((entry & STEP_FAIL) !== 0) throw invalid('it contains EOS');
      if ((entry & STEP_EMIT) !== 0) out[length++] = entry >>> 16;
      state = entry & 0xff;
      accept = (entry & STEP_ACCEPT) !== 0;
    }
  }
  if (!accept) throw invalid('the padding is not a prefix of EOS shorter than 8 bits');
  return out.toString('latin1', 0, length);
}

/** Bytes `text` (octets, latin1) takes Huffman-coded. */
export function huffmanLength(text: string): number {
  let total = 0;
  for (let i = 0; i < text.length; i++) total += bits(text.charCodeAt(i) & 0xff);
  return Math.ceil(total / 8);
}

/** Huffman-codes `text` (octets, latin1), padded with the most significant bits of EOS. */
export function huffmanEncode(text: string): Buffer {
  const out = Buffer.allocUnsafe(huffmanLength(text));
  let acc = 0;
  let pending = 0;
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    const symbol = text.charCodeAt(i) & 0xff;
    // Up to 30 + 7 bits: plain arithmetic, exact below 2^53, where 32-bit shifts would overflow.
    acc = acc * 2 ** bits(symbol) + code(symbol);
    pending += bits(symbol);
    while (pending >= 8) {
      pending -= 8;
      const divisor = 2 ** pending;
      out[at++] = Math.floor(acc / divisor) & 0xff;
      acc %= divisor;
    }
  }
  if (pending > 0) out[at++] = ((acc << (8 - pending)) | (0xff >> pending)) & 0xff;
  return out;
}
