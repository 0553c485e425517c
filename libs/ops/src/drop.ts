import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HeadObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { OpsContext } from './context';
import { awsErrorKind, explainAwsError, refused, usageError } from './errors';
import { MARKER_NAME, markerKey, parsePartition, partitionPrefix, todayUtc, type Partition } from './partition';

/** The header line of the products feed (docs/data-contract.md, "Source feed"). */
export const CONTRACT_COLUMNS = ['product_id', 'product_name', 'category', 'price', 'quantity', 'updated_at'] as const;
/** Version tag of the `_SUCCESS` manifest; bump it when a field changes meaning. */
export const MARKER_FORMAT = 'xetl.drop.v1';
/** S3's minimum part size; files above it go up in parts, several at a time. */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;

export interface DropOptions {
  /** Files and folders; a folder contributes its files (not sub-folders), `_*` and `.*` skipped. */
  readonly paths: readonly string[];
  /** `YYYY-MM-DD`; default today in UTC. */
  readonly date?: string;
  /** Overwrite existing objects (and the marker) of the partition. */
  readonly replace?: boolean;
  readonly partSize?: number;
  readonly onProgress?: (event: DropProgress) => void;
}

export interface DropProgress {
  readonly file: string;
  readonly index: number;
  readonly count: number;
  readonly loaded: number;
  readonly total: number;
}

export interface InspectedFile {
  readonly path: string;
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** Data records, header excluded; quoted fields may span lines (RFC 4180). */
  readonly rows: number;
}

export interface DroppedFile extends Omit<InspectedFile, 'path'> {
  readonly key: string;
  readonly replaced: boolean;
}

export interface DropMarker {
  readonly format: typeof MARKER_FORMAT;
  readonly producer: 'xetl drop';
  readonly partition: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly written_at: string;
  readonly files: ReadonlyArray<{ name: string; key: string; size: number; sha256: string; rows: number }>;
  readonly total_files: number;
  readonly total_bytes: number;
  readonly total_rows: number;
}

export interface DropResult {
  readonly bucket: string;
  readonly partition: Partition;
  readonly dateSource: 'flag' | 'today (UTC)';
  readonly prefix: string;
  readonly files: readonly DroppedFile[];
  readonly marker: DropMarker;
  readonly markerKey: string;
  /** Data objects already in the partition that this drop did not write (not in the marker). */
  readonly otherObjects: readonly string[];
  readonly seconds: number;
}

/** Expands folders and rejects duplicates; nothing is read yet. */
export function collectFiles(paths: readonly string[]): string[] {
  if (paths.length === 0) throw usageError('give at least one file or folder to drop');
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw usageError(`no such file or folder: ${p}`);
    }
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(p, { withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith('_') && !e.name.startsWith('.'))
        .map((e) => path.join(p, e.name))
        .sort();
      if (entries.length === 0) throw refused(`refused: folder ${p} holds no files to drop`);
      out.push(...entries);
    } else {
      out.push(p);
    }
  }
  const seen = new Map<string, string>();
  for (const f of out) {
    const name = path.basename(f);
    if (seen.has(name)) throw refused(`refused: two files would both become ${name} in the partition (${seen.get(name)} and ${f}); rename one`);
    seen.set(name, f);
  }
  return out;
}

function normalizeHeader(line: string): string[] {
  return line.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',')
    .map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase());
}

/**
 * Checks one file against the contract (CSV extension, non-empty, contract header, at least one
 * data row) and measures it in a single streaming pass: size, SHA-256 and row count.
 */
export async function inspectCsv(file: string): Promise<InspectedFile> {
  const name = path.basename(file);
  if (name.startsWith('_') || name.startsWith('.')) {
    throw refused(`refused: ${file}: names starting with "_" or "." are markers, not data (docs/data-contract.md); rename it`);
  }
  if (path.extname(name).toLowerCase() !== '.csv') {
    throw refused(`refused: ${file} is not a CSV file (expected a .csv extension and the header ${CONTRACT_COLUMNS.join(',')})`);
  }
  const size = fs.statSync(file).size;
  if (size === 0) throw refused(`refused: ${file} is empty; the pipeline needs the header ${CONTRACT_COLUMNS.join(',')} and at least one row`);

  const hash = createHash('sha256');
  let headerBytes: number[] | undefined = [];
  let inQuotes = false;
  let recordHasContent = false;
  let records = 0;
  for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (headerBytes) {
        if (b === 0x0a) {
          const header = normalizeHeader(Buffer.from(headerBytes).toString('utf8'));
          if (header.join(',') !== CONTRACT_COLUMNS.join(',')) {
            throw refused(`refused: ${file} does not start with the contract header "${CONTRACT_COLUMNS.join(',')}" (found "${header.join(',').slice(0, 120)}")`);
          }
          headerBytes = undefined;
        } else if (headerBytes.length < 64 * 1024) {
          headerBytes.push(b);
        } else {
          throw refused(`refused: ${file} has no header line in its first 64 KiB; is it CSV?`);
        }
      }
      if (b === 0x22) inQuotes = !inQuotes; // a doubled quote toggles twice: still correct
      if (b === 0x0a && !inQuotes) {
        if (recordHasContent) records++;
        recordHasContent = false;
      } else if (b !== 0x0d) {
        recordHasContent = true;
      }
    }
  }
  if (recordHasContent) records++;
  if (headerBytes) {
    const header = normalizeHeader(Buffer.from(headerBytes).toString('utf8'));
    if (header.join(',') !== CONTRACT_COLUMNS.join(',')) {
      throw refused(`refused: ${file} does not start with the contract header "${CONTRACT_COLUMNS.join(',')}" (found "${header.join(',').slice(0, 120)}")`);
    }
  }
  const rows = Math.max(records - 1, 0);
  if (rows === 0) throw refused(`refused: ${file} has the header but no data rows`);
  return { path: file, name, size, sha256: hash.digest('hex'), rows };
}

async function exists(ctx: OpsContext, bucket: string, key: string): Promise<boolean> {
  try {
    await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (err) {
    if (awsErrorKind(err) === 'not-found' && (err as { name?: string }).name !== 'NoSuchBucket') return false;
    throw explainAwsError(err, 's3:GetObject', `s3://${bucket}/${key}`, 'deploy the source stack first');
  }
}

/**
 * Uploads a day's files to the source bucket, then writes the `_SUCCESS` manifest last.
 * Everything is checked before the first byte goes up, so a refused drop uploads nothing.
 */
export async function drop(ctx: OpsContext, options: DropOptions): Promise<DropResult> {
  const started = Date.now();
  const partition = options.date ? parsePartition(options.date) : todayUtc(ctx.now());
  const bucket = ctx.names.sourceBucket;
  const prefix = partitionPrefix(ctx.names, partition);
  const marker = markerKey(ctx.names, partition);

  const inspected: InspectedFile[] = [];
  for (const f of collectFiles(options.paths)) inspected.push(await inspectCsv(f));

  const existing = new Set<string>();
  for (const key of [...inspected.map((f) => prefix + f.name), marker]) {
    if (await exists(ctx, bucket, key)) existing.add(key);
  }
  if (existing.size > 0 && !options.replace) {
    const names = [...existing].map((k) => k.slice(prefix.length));
    const why = existing.has(marker) ? `partition ${partition.date} is already complete (${MARKER_NAME} exists)` : `${names.length} object(s) already exist`;
    throw refused(`refused: ${why} in s3://${bucket}/${prefix} (${names.join(', ')}); nothing was uploaded; pass --replace to overwrite`);
  }

  const files: DroppedFile[] = [];
  for (const [index, f] of inspected.entries()) {
    const key = prefix + f.name;
    const upload = new Upload({
      client: ctx.clients.s3,
      params: { Bucket: bucket, Key: key, Body: fs.createReadStream(f.path), ContentType: 'text/csv', ChecksumAlgorithm: 'SHA256' },
      partSize: options.partSize ?? DEFAULT_PART_SIZE,
      queueSize: 2,
      leavePartsOnError: false,
    });
    // Parts report as they finish; the final 100% is emitted once, below, after the upload is done.
    upload.on('httpUploadProgress', (p) => {
      if ((p.loaded ?? 0) < f.size) options.onProgress?.({ file: f.name, index, count: inspected.length, loaded: p.loaded ?? 0, total: f.size });
    });
    try {
      await upload.done();
    } catch (err) {
      throw explainAwsError(err, 's3:PutObject', `s3://${bucket}/${key}`, 'deploy the source stack first');
    }
    options.onProgress?.({ file: f.name, index, count: inspected.length, loaded: f.size, total: f.size });
    files.push({ name: f.name, key, size: f.size, sha256: f.sha256, rows: f.rows, replaced: existing.has(key) });
  }

  let otherObjects: string[] = [];
  try {
    const listed = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    const ours = new Set([...files.map((f) => f.key), marker]);
    otherObjects = (listed.Contents ?? []).map((o) => o.Key as string).filter((k) => !ours.has(k));
  } catch {
    // A producer may write without s3:ListBucket; the warning is a courtesy, not a check.
  }

  const manifest: DropMarker = {
    format: MARKER_FORMAT,
    producer: 'xetl drop',
    partition: partition.date,
    bucket,
    prefix,
    written_at: ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    files: files.map(({ name, key, size, sha256, rows }) => ({ name, key, size, sha256, rows })),
    total_files: files.length,
    total_bytes: files.reduce((n, f) => n + f.size, 0),
    total_rows: files.reduce((n, f) => n + f.rows, 0),
  };
  try {
    await ctx.clients.s3.send(new PutObjectCommand({
      Bucket: bucket, Key: marker, Body: JSON.stringify(manifest, null, 2) + '\n',
      ContentType: 'application/json', ChecksumAlgorithm: 'SHA256',
    }));
  } catch (err) {
    throw explainAwsError(err, 's3:PutObject', `s3://${bucket}/${marker}`);
  }
  return {
    bucket, partition, dateSource: options.date ? 'flag' : 'today (UTC)', prefix, files, marker: manifest,
    markerKey: marker, otherObjects, seconds: (Date.now() - started) / 1000,
  };
}

function human(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** One progress line, rewritten in place on a terminal. */
export function renderProgress(p: DropProgress): string {
  const pct = p.total ? Math.floor((p.loaded / p.total) * 100) : 100;
  const width = 20;
  const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
  return `[${bar}] ${String(pct).padStart(3)}% ${p.file} (${p.index + 1}/${p.count}, ${human(p.loaded)}/${human(p.total)})`;
}

export function renderDrop(r: DropResult): string[] {
  const lines = [`partition ${r.partition.date} (date from ${r.dateSource}) -> s3://${r.bucket}/${r.prefix}`];
  for (const f of r.files) {
    lines.push(`  ${f.replaced ? 'replaced' : 'uploaded'} ${f.name}  ${human(f.size)}  ${f.rows} rows  sha256 ${f.sha256.slice(0, 12)}…`);
  }
  lines.push(`  marker   ${MARKER_NAME}  (${r.marker.total_files} files, ${r.marker.total_rows} rows)`);
  for (const o of r.otherObjects) lines.push(`  note: ${o.slice(r.prefix.length)} was already in the partition and is not in this drop's marker`);
  lines.push(`dropped ${r.files.length} file(s), ${human(r.marker.total_bytes)}, ${r.marker.total_rows} rows in ${r.seconds.toFixed(1)} s`);
  return lines;
}
