import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

export interface AcceptedFinding {
  readonly check: string;
  readonly reason: string;
  /** Regular expressions on the resource address; required: no acceptance covers every resource. */
  readonly resources: readonly string[];
  /** Regular expressions on the stack name, to keep an acceptance away from, say, prod. @default every stack */
  readonly stacks?: readonly string[];
}

export interface CheckovFailure {
  readonly check: string;
  readonly resource: string;
  readonly name: string;
  readonly file: string;
}

export interface ScanResult {
  readonly stack: string;
  readonly passed: number;
  readonly failed: CheckovFailure[];
  readonly accepted: Array<CheckovFailure & { reason: string }>;
}

export const ACCEPTED_FILE = path.join(REPO_ROOT, 'security', 'checkov-accepted.json');

export function loadAccepted(file: string = ACCEPTED_FILE): AcceptedFinding[] {
  const entries = JSON.parse(fs.readFileSync(file, 'utf8')).accepted as AcceptedFinding[];
  for (const e of entries) {
    if (!e.check || !e.reason?.trim()) throw new Error(`${file}: every entry needs a check id and a reason (${JSON.stringify(e)})`);
    if (!e.resources?.length) throw new Error(`${file}: ${e.check} accepts every resource; name them in "resources"`);
  }
  return entries;
}

/** The entry that accepts `failure` of the stack named `stack`, if any. */
export function acceptingEntry(failure: CheckovFailure, accepted: readonly AcceptedFinding[], stack: string): AcceptedFinding | undefined {
  const matches = (patterns: readonly string[] | undefined, value: string) => !patterns || patterns.some((r) => new RegExp(r).test(value));
  return accepted.find((a) => a.check === failure.check && matches(a.resources, failure.resource) && matches(a.stacks, stack));
}

function checkovBinary(): string {
  const venv = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'python-env.sh'), 'security'], {
    encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  return path.join(venv, 'bin', 'checkov');
}

/** Runs checkov (framework terraform_json, offline) on one synthesized stack directory. */
export function scanStack(stackDir: string, accepted: readonly AcceptedFinding[]): ScanResult {
  const r = spawnSync(checkovBinary(), [
    '-d', stackDir, '--framework', 'terraform_json', '--quiet', '--compact', '--skip-download', '-o', 'json',
  ], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    // No calls home: guideline mapping and external checks are downloads.
    env: { ...process.env, BC_SKIP_MAPPING: 'TRUE', CHECKOV_RUN_SCA_PACKAGE_SCAN_V2: 'false', LOG_LEVEL: 'ERROR' },
  });
  if (!r.stdout.trim()) throw new Error(`checkov produced no report for ${stackDir}:\n${r.stderr}`);
  const reports = [JSON.parse(r.stdout)].flat() as Array<{ summary: { passed: number }; results: { failed_checks: any[] } }>;
  const failures: CheckovFailure[] = reports.flatMap((rep) => rep.results.failed_checks.map((f) => ({
    check: f.check_id, resource: f.resource, name: f.check_name, file: f.file_path,
  })));
  const result: ScanResult = { stack: path.basename(stackDir), passed: reports.reduce((n, rep) => n + rep.summary.passed, 0), failed: [], accepted: [] };
  for (const f of failures) {
    const entry = acceptingEntry(f, accepted, result.stack);
    if (entry) result.accepted.push({ ...f, reason: entry.reason });
    else result.failed.push(f);
  }
  return result;
}
