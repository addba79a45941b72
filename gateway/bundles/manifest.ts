import { goJsonMarshal, type BundleManifest } from '../apidef/index.js';
import { goJsonString } from '../errors/index.js';

export { parseManifest, type BundleManifest, type ManifestParse } from '../apidef/index.js';

/**
 * Tyk's bundler checks, in its order, with its texts: every listed file exists (`exists` says so),
 * at least one hook (list entries, plus a named auth_check and traffic_logs), a driver.
 */
export async function buildProblem(manifest: BundleManifest, exists: (file: string) => Promise<boolean>): Promise<string | undefined> {
  for (const file of manifest.fileList) {
    if (!(await exists(file))) return `Referencing a nonexistent file: ${file}`;
  }
  const cm = manifest.customMiddleware;
  const hooks = cm.pre.length + cm.post.length + cm.post_key_auth.length + cm.response.length + (cm.auth_check.name !== '' ? 1 : 0) + (cm.traffic_logs !== undefined && cm.traffic_logs.name !== '' ? 1 : 0);
  if (hooks === 0) return 'No hooks defined';
  if (cm.driver === '') return 'No driver specified';
  return undefined;
}

const asObject = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown) => goJsonString(typeof v === 'string' ? v : '');
const bool = (v: unknown) => (v === true ? 'true' : 'false');

function definition(value: unknown): string {
  const d = asObject(value);
  const code = typeof d['code'] === 'string' && d['code'] !== '' ? `,"code":${str(d['code'])}` : '';
  return `{"disabled":${bool(d['disabled'])},"name":${str(d['name'])},"path":${str(d['path'])}${code},"require_session":${bool(d['require_session'])},"raw_body_only":${bool(d['raw_body_only'])}}`;
}

const definitions = (value: unknown) => (Array.isArray(value) ? `[${value.map(definition).join(',')}]` : 'null');

/**
 * The manifest as Tyk's bundler writes it into the zip: Go's json.Marshal of the decoded struct,
 * so every field in struct order, null for lists the input did not have, unknown keys dropped,
 * `<`, `>` and `&` escaped. `raw` is the validated input document.
 */
export function marshalManifest(raw: Record<string, unknown>, checksum: string, signature: string): string {
  const cm = asObject(raw['custom_middleware']);
  const ie = asObject(cm['id_extractor']);
  const config = ie['extractor_config'];
  const files = raw['file_list'];
  return (
    `{"file_list":${Array.isArray(files) ? `[${files.map(str).join(',')}]` : 'null'},` +
    `"custom_middleware":{"pre":${definitions(cm['pre'])},"post":${definitions(cm['post'])},"post_key_auth":${definitions(cm['post_key_auth'])},` +
    `"auth_check":${definition(cm['auth_check'])},"traffic_logs":${definition(cm['traffic_logs'])},"response":${definitions(cm['response'])},` +
    `"driver":${str(cm['driver'])},"id_extractor":{"disabled":${bool(ie['disabled'])},"extract_from":${str(ie['extract_from'])},` +
    `"extract_with":${str(ie['extract_with'])},"extractor_config":${config !== null && typeof config === 'object' && !Array.isArray(config) ? goJsonMarshal(config) : 'null'}}},` +
    `"checksum":${str(checksum)},"signature":${str(signature)}}`
  );
}
