import { stat } from 'node:fs/promises';
import { relative } from 'node:path';
import { loadApisWithCertificates, storageReader } from '../api-load.js';
import type { ApiLoadResult } from '../apidef/index.js';
import { loadConfigFile, type ConfigLoadResult, type GatewayConfig } from '../config/index.js';
import { pino } from 'pino';
import type { Logger } from '../logging/index.js';
import { loadPolicies, type PolicyLoadResult } from '../policy/index.js';
import type { Problem } from '../validation/index.js';

export interface LoadReport {
  readonly configPath: string;
  readonly config: ConfigLoadResult;
  /** Problems found outside the document itself (the app_path folder). */
  readonly configFileProblems: readonly Problem[];
  /** Undefined when the config could not be loaded far enough to read API definitions. */
  readonly apis: ApiLoadResult | undefined;
  /** Undefined when the config could not be loaded; any error in it refuses the start. */
  readonly policies: PolicyLoadResult | undefined;
}

async function checkFolder(path: string, field: string): Promise<Problem | undefined> {
  try {
    if ((await stat(path)).isDirectory()) return undefined;
    return { path: field, message: `\`${field}\`: ${path} is not a folder` };
  } catch {
    return { path: field, message: `\`${field}\`: folder ${path} does not exist` };
  }
}

/**
 * Everything `check` validates and `start` refuses to start without, plugin bundles included
 * (downloaded into middleware_path when not there yet). `bundleLog` gives the logger bundle
 * downloads report to, once the config is known.
 */
export async function loadAll(configPath: string, bundleLog?: (config: GatewayConfig) => Logger | undefined): Promise<LoadReport> {
  const config = await loadConfigFile(configPath);
  const configFileProblems: Problem[] = [];
  let apis: ApiLoadResult | undefined;
  let policies: PolicyLoadResult | undefined;
  if (config.config !== undefined) {
    const missing = await checkFolder(config.config.appPath, 'app_path');
    if (missing !== undefined) configFileProblems.push(missing);
    else {
      const log = bundleLog?.(config.config);
      // Certificate-store IDs in definitions are read from storage here, before the gateway opens it.
      const storageLog = log ?? pino({ level: 'silent' });
      apis = await loadApisWithCertificates(config.config, storageReader(config.config, storageLog), log);
    }
    policies = await loadPolicies(config.config.policies);
  }
  return { configPath, config, configFileProblems, apis, policies };
}

/** Errors that refuse a start: the config's, and the policies' (a policy set is never half-applied). */
export function configErrorCount(report: LoadReport): number {
  return report.config.errors.length + report.configFileProblems.length + (report.policies?.errors.length ?? 0);
}

/** A human-readable account of every problem, for `check` and for a refused `start`. */
export function formatReport(report: LoadReport, cwd = process.cwd()): { text: string; errors: number; warnings: number } {
  const show = (path: string) => {
    const rel = relative(cwd, path);
    return rel.startsWith('..') ? path : rel;
  };
  const lines: string[] = [];
  const configErrors = [...report.config.errors, ...report.configFileProblems];
  let errors = configErrors.length;
  let warnings = report.config.warnings.length;
  lines.push(`config ${show(report.configPath)}: ${plural(configErrors.length, 'error')}, ${plural(report.config.warnings.length, 'warning')}`);
  for (const p of configErrors) lines.push(`  error: ${p.message}`);
  for (const p of report.config.warnings) lines.push(`  warning: ${p.message}`);

  const policies = report.policies;
  if (policies !== undefined && (policies.policies.length > 0 || policies.errors.length > 0 || policies.warnings.length > 0)) {
    lines.push(`policies: ${policies.policies.length} loaded, ${plural(policies.errors.length, 'error')}, ${plural(policies.warnings.length, 'warning')}`);
    for (const { file, problem } of policies.errors) lines.push(`  error: ${show(file)}: ${problem.message}`);
    for (const { file, problem } of policies.warnings) lines.push(`  warning: ${show(file)}: ${problem.message}`);
    errors += policies.errors.length;
    warnings += policies.warnings.length;
  }

  const apis = report.apis;
  if (apis !== undefined && report.config.config !== undefined) {
    lines.push(
      `APIs in ${show(report.config.config.appPath)}: ${apis.apis.length} loaded, ${apis.refused.length} refused, ${apis.inactive.length} inactive`,
    );
    for (const api of apis.apis) {
      lines.push(`  ok: ${api.id} (${show(api.file)}) on ${api.listenPath} -> ${api.target.origin}${api.target.basePath}`);
    }
    for (const file of apis.inactive) lines.push(`  inactive: ${show(file)} ("active": false)`);
    for (const refused of apis.refused) {
      errors += refused.errors.length;
      const id = refused.apiId === undefined ? '' : ` (api_id ${JSON.stringify(refused.apiId)})`;
      for (const p of refused.errors) lines.push(`  error: ${show(refused.file)}${id}: ${p.message}`);
    }
    warnings += apis.warnings.length;
    for (const { file, problem } of apis.warnings) lines.push(`  warning: ${show(file)}: ${problem.message}`);
  } else if (configErrors.length > 0) {
    lines.push('APIs: not checked (fix the config first)');
  }
  lines.push(errors === 0 ? `OK: no errors, ${plural(warnings, 'warning')}.` : `${plural(errors, 'error')}, ${plural(warnings, 'warning')}.`);
  return { text: `${lines.join('\n')}\n`, errors, warnings };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
