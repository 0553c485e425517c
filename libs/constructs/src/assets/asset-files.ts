import * as fs from 'node:fs';
import * as path from 'node:path';

/** One file to upload: where it is on disk and the object key it becomes. */
export interface AssetFile {
  /** Absolute path of the file at synth time. */
  readonly path: string;
  /** S3 object key, with forward slashes. */
  readonly key: string;
}

export interface ListAssetFilesOptions {
  /** Directory to walk, absolute. */
  readonly dir: string;
  /** Prefix of the object keys; the file's path relative to `dir` follows it. */
  readonly keyPrefix: string;
  /** Keep only relative paths that match. @default every file */
  readonly include?: RegExp;
  /** Skip relative paths (and directories, with a trailing "/") that match any of these. @default none */
  readonly exclude?: readonly RegExp[];
}

/**
 * Lists the files of a directory as upload entries, sorted by key so synth output is stable.
 * Reads directory entries only (no file contents), so it stays cheap at synth.
 */
export function listAssetFiles(options: ListAssetFilesOptions): AssetFile[] {
  const out: AssetFile[] = [];
  const skip = (rel: string) => (options.exclude ?? []).some((re) => re.test(rel));
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(options.dir, rel), { withFileTypes: true })) {
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!skip(`${childRel}/`)) walk(childRel);
      } else if (entry.isFile() && !skip(childRel) && (!options.include || options.include.test(childRel))) {
        out.push({ path: path.join(options.dir, childRel), key: `${options.keyPrefix}${childRel}` });
      }
    }
  };
  walk('');
  return out.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Fails with `hint` when a required file is missing, naming the file. */
export function requireFile(file: string, hint: string): string {
  if (!fs.existsSync(file)) throw new Error(`${file} does not exist: ${hint}`);
  return file;
}
