import type { ApiLoadResult } from './apidef/index.js';
import type { Logger } from './logging/index.js';

/** Logs what loading the API definitions produced, one line per problem, naming the file. */
export function logApiLoad(result: ApiLoadResult, logger: Logger): void {
  for (const api of result.apis) {
    logger.info({ api_id: api.id, name: api.name, listen_path: api.listenPath, target: api.target.origin + api.target.basePath, file: api.file }, 'API loaded');
  }
  for (const file of result.inactive) logger.info({ file }, 'API definition is inactive ("active": false); not loaded');
  for (const { file, problem } of result.warnings) logger.warn({ file, field: problem.path }, problem.message);
  for (const refused of result.refused) {
    for (const problem of refused.errors) {
      logger.error({ file: refused.file, api_id: refused.apiId, field: problem.path }, `API refused: ${problem.message}`);
    }
  }
}
