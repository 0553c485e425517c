#!/usr/bin/env node
// Makes a fresh clone ready for `nx`: installs the locked Node packages with `npm ci` when
// node_modules is missing or older than package-lock.json, and checks the tools the tests need.
// Each missing prerequisite is one line saying what and how to install it; exit 2.
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

function fail(lines) {
  console.error(`setup: missing prerequisites (README.md, "Prerequisites", has the install commands):\n  - ${lines.join('\n  - ')}`);
  process.exit(2);
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 10)) {
  fail([`Node.js >= 20.10 (found ${process.versions.node}): https://nodejs.org, or 'nvm install 22'`]);
}

const missing = [];
if (!have('terraform', ['version'])) missing.push('terraform 1.11: https://developer.hashicorp.com/terraform/install');
if (!have('java', ['-version']) || !have('javac', ['-version'])) {
  missing.push("a JDK 17 (java for PySpark, javac for the Glue transform's jar): 'apt-get install openjdk-17-jdk-headless' or 'brew install openjdk@17'");
}
if (!have('initdb', ['--version']) && !existsSync('/usr/lib/postgresql')) {
  missing.push("PostgreSQL 15 server binaries (initdb, postgres): 'apt-get install postgresql-15' or 'brew install postgresql@15'");
}
if (!have('python3.12') && !have('pyenv', ['prefix', '3.12'])) missing.push("Python 3.12 (Airflow 3.0.6 as MWAA runs it): 'pyenv install 3.12'");
if (!have('python3.11') && !have('pyenv', ['prefix', '3.11'])) missing.push("Python 3.11 (Glue 5.0): 'pyenv install 3.11'");
if (missing.length) fail(missing);

if (!existsSync(marker) || statSync(marker).mtimeMs < statSync(lock).mtimeMs) {
  console.error('setup: installing the locked Node packages (npm ci, about a minute)');
  try {
    // --prefer-offline: tarballs already in npm's cache (any earlier clone's install) are not fetched
    // again, so a later clone installs without the registry.
    execFileSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: repo, stdio: 'inherit' });
  } catch {
    console.error('setup: npm ci failed (see above); the registry must be reachable (or npm\'s cache hold every locked package) and package-lock.json match package.json');
    process.exit(1);
  }
}
