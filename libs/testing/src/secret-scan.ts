import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from './paths';

export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
}

/**
 * Patterns of values that look like credentials. Each names what it found, never the value:
 * the scanner's own report must not leak what it catches.
 */
const PATTERNS: Array<[string, RegExp]> = [
  ['AWS access key id', /\b(AKIA|ASIA)[0-9A-Z]{16}\b/],
  ['AWS secret access key', /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}\b/i],
  ['private key', /-----BEGIN (RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/],
  ['GitHub token', /\b(ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}\b/],
  ['Slack token', /\bxox[abposr]-[A-Za-z0-9-]{10,}\b/],
  // A literal password/secret/token assigned in code or config (not a reference, template or empty value).
  ['literal password', /["']?(password|passwd|admin_user_password|master_password|client_secret|api_key|secret_key)["']?\s*[:=]\s*["'](?![$<{%]|arn:|test["']|example|changeme["'])[^"'\s]{8,}["']/i],
  ['credentials in a URL', /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@"']+:(?![$<{%])[^\s@/"']{6,}@[^\s"']+/i],
];

/** Scans text; `file` is used only to label findings. */
export function scanText(text: string, file: string): SecretFinding[] {
  const out: SecretFinding[] = [];
  text.split('\n').forEach((line, i) => {
    for (const [kind, re] of PATTERNS) if (re.test(line)) out.push({ file, line: i + 1, kind });
  });
  return out;
}

/** Files git tracks (and untracked, unignored ones), as a fresh clone or a change would hold them. */
export function repoFiles(root: string = REPO_ROOT): string[] {
  const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' });
  return out.split('\0').filter(Boolean).map((f) => path.join(root, f));
}

const BINARY = /\.(png|jpg|jpeg|gif|zip|gz|parquet|jar|whl|ico|pdf)$/i;

export function scanFiles(files: readonly string[], root: string = REPO_ROOT): SecretFinding[] {
  const out: SecretFinding[] = [];
  for (const f of files) {
    if (BINARY.test(f) || !fs.existsSync(f) || fs.statSync(f).size > 5 * 1024 * 1024) continue;
    out.push(...scanText(fs.readFileSync(f, 'utf8'), path.relative(root, f)));
  }
  return out;
}
