import { isUtf8 } from 'node:buffer';
import { findMatch, MAX_REGEX_INPUT_BYTES } from './find-all.js';
import { formValues } from './form.js';
import type { CompiledIdExtractor, ExtractionInput, ExtractionResult, ExtractorMethod, ExtractorSource } from './types.js';
import { MAX_XML_INPUT_BYTES, parseXml } from './xml.js';
import { evaluateFirst } from './xpath.js';

/**
 * Extracts the credential an ID extractor caches sessions by, per protocol.md section 5 (Tyk's
 * gateway/coprocess_id_extractor.go), from a request whose body the gateway has already read.
 * Nothing in `input` is changed: Tyk's body source drains the body, so the plugin and the upstream
 * then see it empty; here the body stays as it was.
 *
 * One rule goes beyond Tyk: an empty extracted value is a failure for every source and method.
 * Tyk refuses only an empty header; an empty form field (`?key=`), an empty regex match or an
 * empty XML element give it md5("") as the ID, which every such request then shares: one request
 * the plugin accepts would let all the others in on its session without a credential.
 */
export function extract(compiled: CompiledIdExtractor, input: ExtractionInput): ExtractionResult {
  const source = readSource(compiled.source, compiled.method, input);
  if (!source.ok) return source;
  const result = apply(compiled.method, source.value);
  if (result.ok && result.value === '') {
    return { ok: false, reason: `the extracted value is empty (${describe(compiled)}); an empty credential would give every such request one shared session ID` };
  }
  return result;
}

function describe(compiled: CompiledIdExtractor): string {
  const { source, method } = compiled;
  const from = source.kind === 'header' ? `header ${source.headerName}` : source.kind === 'form' ? `form field ${source.paramName}` : 'the body';
  return method.kind === 'value' ? from : `${method.kind} ${JSON.stringify(method.expression)} on ${from}`;
}

function readSource(source: ExtractorSource, method: ExtractorMethod, input: ExtractionInput): ExtractionResult {
  switch (source.kind) {
    case 'header': {
      const value = input.header(source.headerName);
      if (value === undefined || value === '') return { ok: false, reason: `header ${source.headerName} is missing or empty` };
      return { ok: true, value };
    }
    case 'form': {
      const values = formValues(input, source.paramName);
      if (values.length === 0) return { ok: false, reason: `form field ${source.paramName} is in neither the query nor a urlencoded body` };
      // Go: strings.Join(r.Form[name], ""), every value, no separator.
      return { ok: true, value: values.join('') };
    }
    case 'body': {
      // Bounded before decoding, so a huge body is never turned into a string.
      const limit = method.kind === 'xpath' ? MAX_XML_INPUT_BYTES : MAX_REGEX_INPUT_BYTES;
      if (input.body.length > limit) {
        return { ok: false, reason: `the body is ${input.body.length} bytes; ${method.kind} extraction reads at most ${limit}` };
      }
      // Go's XML decoder refuses invalid UTF-8; decoding would hide it behind U+FFFD.
      if (method.kind === 'xpath' && !isUtf8(input.body)) return { ok: false, reason: 'the body is not valid UTF-8' };
      return { ok: true, value: input.body.toString('utf8') };
    }
  }
}

function apply(method: ExtractorMethod, text: string): ExtractionResult {
  switch (method.kind) {
    case 'value':
      return { ok: true, value: text };
    case 'regex':
      return findMatch(method.regexp, text, method.matchIndex);
    case 'xpath': {
      const parsed = parseXml(text);
      if (!parsed.ok) return { ok: false, reason: `the input is not XML: ${parsed.reason}` };
      const value = evaluateFirst(method.path, parsed.document, parsed.nodeCount);
      if (value === undefined) return { ok: false, reason: `the XPath expression ${JSON.stringify(method.expression)} matches nothing in the input` };
      return { ok: true, value };
    }
  }
}
