#!/usr/bin/env node
// Makes a fresh clone ready for `nx`: installs the locked Node packages when node_modules is
// missing or older than package-lock.json, and checks the tools the tests need, each with the fix.
// Python environments are created on demand by the Nx targets that use them (scripts/python-env.sh).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(repo, 'package-lock.json');
const marker = join(repo, 'node_modules', '.package-lock.json');

function have(cmd, args = ['--version']) {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 10)) {
  console.error(`xetl needs Node.js >= 20.10 (found ${process.versions.node}); install it from https://nodejs.org`);
  process.exit(1);
}

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.error('setup: installing Node packages from package-lock.json (about a minute)');
  // Not `npm ci`: it refuses a lock that lacks nx's native binaries for other platforms, and a
  // registry mirror without them leaves them out of the lock. `npm install --no-save` installs
  // exactly the locked versions, skips optional packages the registry lacks, and writes nothing.
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'inherit' });
}

const missing = [];
if (!have('terraform', ['version'])) missing.push('terraform (1.11): https://developer.hashicorp.com/terraform/install');
if (!have('java', ['-version'])) missing.push('java (17) for PySpark: apt-get install openjdk-17-jre-headless');
if (!have('initdb', ['--version'])) missing.push('PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql');
if (!have('python3.12') && !have('pyenv', ['prefix', '3.12'])) missing.push('Python 3.12 (Airflow 3.0.6 as MWAA runs it): pyenv install 3.12');
if (!have('python3.11') && !have('pyenv', ['prefix', '3.11'])) missing.push('Python 3.11 (Glue 5.0): pyenv install 3.11');
if (missing.length) {
  console.error(`setup: missing prerequisites:\n  - ${missing.join('\n  - ')}`);
  process.exit(1);
}
