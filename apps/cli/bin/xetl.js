#!/usr/bin/env node
// npm links this file as node_modules/.bin/xetl (root package.json "workspaces"). It runs the
// TypeScript entry point with tsx resolved from the repository root, so the CLI works from any
// directory and needs no build step.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const repo = path.resolve(__dirname, '../../..');
let tsx;
try {
  tsx = require.resolve('tsx', { paths: [repo] });
} catch {
  console.error('xetl: tsx is not installed; run "npm ci" at the repository root');
  process.exit(2);
}
const result = spawnSync(
  process.execPath,
  ['--import', require('node:url').pathToFileURL(tsx).href, path.join(repo, 'apps/cli/src/main.ts'), ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    // The @xetl/* aliases live in the root tsconfig; tsx finds it from the cwd only otherwise.
    env: {
      // Operators should not see the SDK's notice that its 2027 releases need Node 22 on every run;
      // the project tracks the Node version in package.json "engines". Set it to "false" to see it.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      ...process.env,
      TSX_TSCONFIG_PATH: process.env.TSX_TSCONFIG_PATH || path.join(repo, 'tsconfig.json'),
    },
  },
);
if (result.error) {
  console.error(`xetl: cannot start node: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
