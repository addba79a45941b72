/**
 * Tyk's ID extractor, the part that decides what is extracted: settings compiled once per API
 * (classic `custom_middleware.id_extractor` or the OAS `idExtractor`), the credential extracted per
 * request, and the session ID derived from it. Pure: no I/O, no state between calls; the caching
 * and the gateway integration live elsewhere. Every extraction failure is answered by the gateway
 * with Tyk's 400 `Authorization field missing`; the reasons are for logs.
 *
 * The building blocks (Go regexp syntax to JavaScript, Go's FindAllString, the XML parser and the
 * XPath subset) are exported too, for tests and for other code that must read Tyk's expressions.
 */
export { compileIdExtractor, compileOasIdExtractor, type CompileOptions } from './config.js';
export { extract } from './extract.js';
export { findMatch, findSubmatch, MAX_REGEX_INPUT_BYTES, REGEX_TIME_BUDGET_MS, type FindResult, type SubmatchResult } from './find-all.js';
export { MAX_FORM_BODY_BYTES } from './form.js';
export { translateRe2, type Re2Options, type Re2Translation } from './re2.js';
export { sessionIdFor } from './session-id.js';
export {
  EXTRACTION_FAILED_MESSAGE,
  EXTRACTION_FAILED_STATUS,
  type CompiledIdExtractor,
  type ExtractionInput,
  type ExtractionResult,
  type ExtractorMethod,
  type ExtractorSource,
  type IdExtractorCompilation,
} from './types.js';
export {
  MAX_XML_DEPTH,
  MAX_XML_INPUT_BYTES,
  parseXml,
  type XmlAttribute,
  type XmlChild,
  type XmlDocument,
  type XmlElement,
  type XmlLeaf,
  type XmlNode,
  type XmlParseResult,
} from './xml.js';
export {
  compileXPath,
  evaluateFirst,
  MAX_XPATH_STEPS,
  type XPath,
  type XPathCompilation,
  type XPathPredicate,
  type XPathStep,
  type XPathTest,
} from './xpath.js';
