import * as path from 'node:path';

/** The repository root, found from this file so the harness works from any working directory. */
export const REPO_ROOT = path.resolve(__dirname, '../../..');
/** Git-ignored scratch space for harness state (CLI config, plugin cache, emulator logs). */
export const WORK_DIR = path.join(REPO_ROOT, '.work');
export const STACKS_DIR = process.env.XETL_STACKS_DIR ?? path.join(REPO_ROOT, 'cdktf.out', 'stacks');
