import type { IncomingMessage, ServerResponse } from 'node:http';
import { certificateBasics, certificateMeta, type CertificateStore } from '../certs/index.js';
import type { Logger } from '../logging/index.js';
import { readBody } from '../pipeline/body.js';
import { apiError, writeJson } from './respond.js';

const MAX_PEM_BYTES = 1024 * 1024;

export interface CertRoutesDeps {
  readonly certs: CertificateStore;
  readonly logger: Logger;
}

/**
 * /tyk/certs and /tyk/certs/{id} (tyk-config.md 4.6): add a PEM (the body, raw), list IDs (of an
 * org, or all; `mode=detailed` for metadata), get metadata (several IDs separated by commas),
 * delete. Status codes and texts are Tyk's, including 403 for a refused add and 200 for deleting
 * an ID that is not stored (quirk 24: kept, so scripts that delete idempotently keep working).
 */
export async function handleCerts(req: IncomingMessage, res: ServerResponse, deps: CertRoutesDeps, id: string | undefined, url: URL): Promise<void> {
  const method = req.method ?? 'GET';
  const org = url.searchParams.get('org_id') ?? '';
  if (method === 'POST') {
    const body = await readBody(req, MAX_PEM_BYTES);
    if (!body.ok) {
      apiError(res, body.reason === 'too_large' ? 413 : 405, body.reason === 'too_large' ? 'Request body too large' : 'Malformed request body');
      return;
    }
    const added = await deps.certs.add(body.body.toString('utf8'), org);
    if (!added.ok) {
      deps.logger.warn({ reason: added.error }, 'certificate refused');
      apiError(res, 403, added.error);
      return;
    }
    deps.logger.info({ cert_id: added.id }, 'certificate added');
    writeJson(res, 200, { id: added.id, status: 'ok', message: 'Certificate added' });
    return;
  }
  if (method === 'GET' && (id === undefined || id === '')) {
    const ids = await deps.certs.list(org);
    if (url.searchParams.get('mode') !== 'detailed') {
      writeJson(res, 200, { certs: ids.length === 0 ? null : ids });
      return;
    }
    const details = [];
    for (const one of ids) {
      const cert = await deps.certs.get(one);
      if (cert !== undefined) details.push(certificateBasics(cert));
    }
    writeJson(res, 200, { certs: details.length === 0 ? null : details });
    return;
  }
  if (method === 'GET' && id !== undefined) {
    const ids = id.split(',');
    if (ids.length > 1) {
      const metas = [];
      for (const one of ids) {
        const cert = await deps.certs.get(one);
        metas.push(cert === undefined ? null : certificateMeta(cert));
      }
      writeJson(res, 200, metas);
      return;
    }
    const cert = await deps.certs.get(id);
    if (cert === undefined) apiError(res, 404, 'Certificate with given SHA256 fingerprint not found');
    else writeJson(res, 200, certificateMeta(cert));
    return;
  }
  if (method === 'DELETE' && id !== undefined && id !== '') {
    const existed = await deps.certs.exists(id);
    await deps.certs.remove(id);
    if (existed) deps.logger.info({ cert_id: id }, 'certificate removed');
    writeJson(res, 200, { status: 'ok', message: 'removed' });
    return;
  }
  apiError(res, 405, 'Method not supported');
}
