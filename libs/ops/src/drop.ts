import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough, pipeline } from 'node:stream';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { OpsContext } from './context';
import { explainAwsError, refused, usageError } from './errors';
import { MARKER_NAME, markerKey, parsePartition, partitionPrefix, todayUtc, type Partition } from './partition';
import { forEachLimit } from './pool';
import { formatDuration, printable } from './text';

/** The header line of the products feed (docs/data-contract.md, "Source feed"). */
export const CONTRACT_COLUMNS = ['product_id', 'product_name', 'category', 'price', 'quantity', 'updated_at'] as const;
/** Version tag of the `_SUCCESS` manifest; bump it when a field changes meaning. */
export const MARKER_FORMAT = 'xetl.drop.v1';
/** Files up to this size go up in one PUT; larger ones in parts of this size (S3's minimum is 5 MiB). */
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024;
/** Files in flight at once, as the AWS CLI's max_concurrent_requests: per-request latency, not bandwidth, bounds a drop of many small files. */
export const DEFAULT_CONCURRENCY = 10;
export const MAX_CONCURRENCY = 64;
/** Parts of one large file in flight at once. */
const PARTS_IN_FLIGHT = 4;
/** Files inspected at once (reading and parsing; bounded so a 10,000-file folder does not open 10,000 files). */
const INSPECT_CONCURRENCY = 8;
/**
 * Small files are read once and the very buffer that was checked and hashed is uploaded; this caps
 * the memory held for that. Files beyond it are streamed and hashed again as they go up.
 */
const HELD_BYTES_BUDGET = 256 * 1024 * 1024;

export interface DropOptions {
  /** Files and folders; a folder contributes its files (not sub-folders), `_*` and `.*` skipped. */
  readonly paths: readonly string[];
  /** `YYYY-MM-DD`; default today in UTC. */
  readonly date?: string;
  /** Overwrite existing objects (and the marker) of the partition. */
  readonly replace?: boolean;
  readonly partSize?: number;
  /** Files uploaded at once (default 16). */
  readonly concurrency?: number;
  readonly onProgress?: (event: DropProgress) => void;
}

/** What the drop is doing, for a progress display: counts over the whole drop, not one file. */
export interface DropProgress {
  readonly phase: 'inspect' | 'check' | 'upload' | 'marker';
  readonly filesDone: number;
  readonly filesTotal: number;
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

export interface InspectedFile {
  readonly path: string;
  /** The object name: the file's name in Unicode NFC. */
  readonly name: string;
  readonly size: number;
  readonly sha256: string;
  /** Data records, header excluded; quoted fields may span lines (RFC 4180). */
  readonly rows: number;
  /** The bytes that were checked and hashed, when held for the upload (small files). */
  readonly body?: Buffer;
}

/** One uploaded file, as `--json` prints it. */
export interface DroppedFile {
  readonly name: string;
  readonly key: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes uploaded (S3 verified them against it). */
  readonly sha256: string;
  readonly rows: number;
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

/** The result of a drop; `--json` prints it as is (libs/ops/schemas/drop.schema.json). */
export interface DropResult {
  readonly bucket: string;
  readonly partition: string;
  readonly date_source: 'flag' | 'today (UTC)';
  readonly prefix: string;
  readonly marker_key: string;
  readonly files: readonly DroppedFile[];
  readonly total_files: number;
  readonly total_bytes: number;
  readonly total_rows: number;
  /** Data objects already in the partition that this drop did not write (not in the marker). */
  readonly other_objects: readonly string[];
  readonly seconds: number;
}

/**
 * Control characters and invisible direction marks: a name holding one shows differently in a
 * terminal, a log and the S3 console, so it is refused rather than uploaded under a disguise.
 */
const UNSAFE_NAME_CHAR = /[\p{Cc}\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/** The object name for a file: NFC, so one name typed two ways is one key. Refuses unsafe names. */
export function objectName(file: string): string {
  const raw = path.basename(file);
  if (raw.includes('\uFFFD')) throw refused(`refused: ${printable(file)}: the file name is not valid UTF-8; rename it`);
  const bad = UNSAFE_NAME_CHAR.exec(raw);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
    throw refused(`refused: ${printable(file)}: the file name holds the control character U+${code}, which terminals and logs show differently; rename it (nothing was uploaded)`);
  }
  return raw.normalize('NFC');
}

/** Expands folders, checks names and rejects two files that would become one key; nothing is read yet. */
export function collectFiles(paths: readonly string[]): string[] {
  if (paths.length === 0) throw usageError('give at least one file or folder to drop');
  const out: string[] = [];
  for (const p of paths) {
    let stat: fs.Stats;
    try {
      stat = fs.statSync(p);
    } catch {
      throw usageError(`no such file or folder: ${printable(p)}`);
    }
    if (stat.isDirectory()) {
      const entries = fs.readdirSync(p, { withFileTypes: true })
        .filter((e) => e.isFile() && !e.name.startsWith('_') && !e.name.startsWith('.'))
        .map((e) => path.join(p, e.name))
        .sort();
      if (entries.length === 0) throw refused(`refused: folder ${printable(p)} holds no files to drop`);
      out.push(...entries);
    } else {
      out.push(p);
    }
  }
  const seen = new Map<string, string>();
  for (const f of out) {
    const name = objectName(f);
    const other = seen.get(name);
    if (other !== undefined) {
      throw refused(`refused: two files would both become ${printable(name)} in the partition (${printable(other)} and ${printable(f)}; names are compared in Unicode NFC); rename one`);
    }
    seen.set(name, f);
  }
  return out;
}

function normalizeHeader(line: string): string[] {
  return line.replace(/^\uFEFF/, '').replace(/\r$/, '').split(',')
    .map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim().toLowerCase());
}

const MAX_HEADER_BYTES = 64 * 1024;

/**
 * Checks a file's bytes against the contract as they arrive (header first) and measures them in
 * the same pass: size, SHA-256 and data records (quoted fields may span lines, RFC 4180).
 */
class CsvInspector {
  private readonly hash = createHash('sha256');
  private header: Buffer[] | undefined = [];
  private headerLength = 0;
  private inQuotes = false;
  private recordHasContent = false;
  private records = 0;
  size = 0;

  constructor(private readonly file: string) {}

  update(chunk: Buffer): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    if (this.header) this.readHeader(chunk);
    let inQuotes = this.inQuotes;
    let hasContent = this.recordHasContent;
    let records = this.records;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === 0x22) inQuotes = !inQuotes; // a doubled quote toggles twice: still correct
      if (b === 0x0a && !inQuotes) {
        if (hasContent) records++;
        hasContent = false;
      } else if (b !== 0x0d) {
        hasContent = true;
      }
    }
    this.inQuotes = inQuotes;
    this.recordHasContent = hasContent;
    this.records = records;
  }

  private readHeader(chunk: Buffer): void {
    const end = chunk.indexOf(0x0a);
    const part = end < 0 ? chunk : chunk.subarray(0, end);
    this.header!.push(part);
    this.headerLength += part.length;
    if (end >= 0) this.checkHeader();
    else if (this.headerLength > MAX_HEADER_BYTES) throw refused(`refused: ${printable(this.file)} has no header line in its first 64 KiB; is it CSV?`);
  }

  private checkHeader(): void {
    const header = normalizeHeader(Buffer.concat(this.header!).toString('utf8'));
    this.header = undefined;
    if (header.join(',') !== CONTRACT_COLUMNS.join(',')) {
      throw refused(`refused: ${printable(this.file)} does not start with the contract header "${CONTRACT_COLUMNS.join(',')}" (found "${printable(header.join(',').slice(0, 120))}")`);
    }
  }

  finish(): { sha256: string; rows: number; size: number } {
    if (this.header) this.checkHeader();
    const rows = Math.max(this.records + (this.recordHasContent ? 1 : 0) - 1, 0);
    if (rows === 0) throw refused(`refused: ${printable(this.file)} has the header but no data rows`);
    return { sha256: this.hash.digest('hex'), rows, size: this.size };
  }
}

/**
 * Checks one file against the contract (CSV extension, non-empty, contract header, at least one
 * data row) and measures it in one read. When `mayHold(size)` says so, the bytes read are kept in
 * `body`, so the upload sends exactly what was checked and hashed.
 */
export async function inspectCsv(file: string, mayHold: (size: number) => boolean = () => false): Promise<InspectedFile> {
  const name = objectName(file);
  if (name.startsWith('_') || name.startsWith('.')) {
    throw refused(`refused: ${printable(file)}: names starting with "_" or "." are markers, not data (docs/data-contract.md); rename it`);
  }
  if (path.extname(name).toLowerCase() !== '.csv') {
    throw refused(`refused: ${printable(file)} is not a CSV file (expected a .csv extension and the header ${CONTRACT_COLUMNS.join(',')})`);
  }
  const size = (await fs.promises.stat(file)).size;
  if (size === 0) throw refused(`refused: ${printable(file)} is empty; the pipeline needs the header ${CONTRACT_COLUMNS.join(',')} and at least one row`);
  const inspector = new CsvInspector(file);
  let body: Buffer | undefined;
  if (mayHold(size)) {
    body = await fs.promises.readFile(file);
    inspector.update(body);
  } else {
    for await (const chunk of fs.createReadStream(file) as AsyncIterable<Buffer>) inspector.update(chunk);
  }
  const measured = inspector.finish();
  return { path: file, name, ...measured, ...(body ? { body } : {}) };
}

/** Every key under the partition prefix, all pages (a partition may hold more than 1,000 objects). */
async function listPartition(ctx: OpsContext, bucket: string, prefix: string): Promise<Set<string>> {
  const keys = new Set<string>();
  let token: string | undefined;
  try {
    do {
      const page = await ctx.clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
      for (const o of page.Contents ?? []) keys.add(o.Key as string);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  } catch (err) {
    throw explainAwsError(err, 's3:ListBucket', `s3://${bucket}/${prefix}`, 'deploy the source stack first');
  }
  return keys;
}

const base64OfHex = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

/**
 * Uploads a file that was not held in memory: streamed in parts (each part's SHA-256 checked by
 * S3) and hashed on the way; returns the SHA-256 of the bytes that went up.
 */
async function uploadStreamed(ctx: OpsContext, bucket: string, key: string, file: string, partSize: number, onBytes: (n: number) => void): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  const body = new PassThrough();
  const source = fs.createReadStream(file);
  source.on('data', (chunk: string | Buffer) => {
    hash.update(chunk);
    size += chunk.length;
  });
  pipeline(source, body, () => undefined); // a read error destroys `body`, which fails the upload
  const upload = new Upload({
    client: ctx.clients.s3,
    params: { Bucket: bucket, Key: key, Body: body, ContentType: 'text/csv', ChecksumAlgorithm: 'SHA256' },
    partSize,
    queueSize: PARTS_IN_FLIGHT,
    leavePartsOnError: false,
  });
  upload.on('httpUploadProgress', (p) => onBytes(p.loaded ?? 0));
  await upload.done();
  return { sha256: hash.digest('hex'), size };
}

/**
 * Uploads a day's files to the source bucket, then writes the `_SUCCESS` manifest last.
 * Everything is checked before the first byte goes up, so a refused drop uploads nothing; the
 * partition is listed once (all pages) to refuse overwrites; files go up `concurrency` at a time.
 */
export async function drop(ctx: OpsContext, options: DropOptions): Promise<DropResult> {
  const started = Date.now();
  const partition: Partition = options.date ? parsePartition(options.date) : todayUtc(ctx.now());
  const bucket = ctx.names.sourceBucket;
  const prefix = partitionPrefix(ctx.names, partition);
  const marker = markerKey(ctx.names, partition);
  const partSize = options.partSize ?? DEFAULT_PART_SIZE;
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;

  const paths = collectFiles(options.paths);
  const report = (phase: DropProgress['phase'], filesDone: number, bytesDone: number, bytesTotal: number) =>
    options.onProgress?.({ phase, filesDone, filesTotal: paths.length, bytesDone, bytesTotal });

  // Inspect: every file read once, in parallel; small ones are held so their bytes go up as checked.
  let held = 0;
  let inspectedBytes = 0;
  const inspected: InspectedFile[] = new Array(paths.length);
  let inspectedCount = 0;
  report('inspect', 0, 0, 0);
  await forEachLimit(paths, INSPECT_CONCURRENCY, async (file, i) => {
    inspected[i] = await inspectCsv(file, (size) => {
      const hold = size <= partSize && held + size <= HELD_BYTES_BUDGET;
      if (hold) held += size;
      return hold;
    });
    inspectedBytes += inspected[i].size;
    report('inspect', ++inspectedCount, inspectedBytes, inspectedBytes);
  });
  const bytesTotal = inspectedBytes;

  report('check', 0, 0, bytesTotal);
  const before = await listPartition(ctx, bucket, prefix);
  const existing = [...inspected.map((f) => prefix + f.name), marker].filter((k) => before.has(k));
  if (existing.length > 0 && !options.replace) {
    const names = existing.map((k) => k.slice(prefix.length));
    const why = before.has(marker) ? `partition ${partition.date} is already complete (${MARKER_NAME} exists)` : `${names.length} object(s) already exist`;
    const shown = names.length > 10 ? `${names.slice(0, 10).join(', ')}, ... ${names.length - 10} more` : names.join(', ');
    throw refused(`refused: ${why} in s3://${bucket}/${prefix} (${printable(shown)}); nothing was uploaded; pass --replace to overwrite`);
  }

  const files: DroppedFile[] = new Array(inspected.length);
  const inFlight = new Map<number, number>();
  let doneFiles = 0;
  let doneBytes = 0;
  const uploadProgress = () => report('upload', doneFiles, doneBytes + [...inFlight.values()].reduce((a, b) => a + b, 0), bytesTotal);
  uploadProgress();
  try {
    await forEachLimit(inspected, concurrency, async (f, i) => {
      const key = prefix + f.name;
      let sha256 = f.sha256;
      try {
        if (f.body) {
          // S3 checks the bytes against this checksum, computed from the very buffer inspected.
          await ctx.clients.s3.send(new PutObjectCommand({
            Bucket: bucket, Key: key, Body: f.body, ContentType: 'text/csv', ChecksumSHA256: base64OfHex(f.sha256),
          }));
        } else {
          inFlight.set(i, 0);
          const sent = await uploadStreamed(ctx, bucket, key, f.path, partSize, (n) => {
            inFlight.set(i, Math.min(n, f.size));
            uploadProgress();
          });
          sha256 = sent.sha256;
          if (sent.sha256 !== f.sha256 || sent.size !== f.size) {
            throw refused(`refused: ${printable(f.path)} changed while it was dropped (inspected ${f.size} B sha256 ${f.sha256.slice(0, 12)}…, uploaded ${sent.size} B sha256 ${sent.sha256.slice(0, 12)}…); no marker was written; drop it again with --replace once nothing writes it`);
          }
        }
      } catch (err) {
        throw explainAwsError(err, 's3:PutObject', `s3://${bucket}/${key}`, 'deploy the source stack first');
      } finally {
        inFlight.delete(i);
      }
      files[i] = { name: f.name, key, size: f.size, sha256, rows: f.rows, replaced: before.has(key) };
      doneFiles++;
      doneBytes += f.size;
      uploadProgress();
    });
  } catch (err) {
    const uploaded = files.filter(Boolean).length;
    const e = err as Error;
    if (uploaded > 0) e.message += ` (${uploaded} of ${inspected.length} file(s) went up before this; no ${MARKER_NAME} was written, so no run starts; re-run with --replace)`;
    throw err;
  }

  const ours = new Set([...files.map((f) => f.key), marker]);
  const otherObjects = [...before].filter((k) => !ours.has(k)).sort();
  const totals = {
    total_files: files.length,
    total_bytes: files.reduce((n, f) => n + f.size, 0),
    total_rows: files.reduce((n, f) => n + f.rows, 0),
  };
  const manifest: DropMarker = {
    format: MARKER_FORMAT,
    producer: 'xetl drop',
    partition: partition.date,
    bucket,
    prefix,
    written_at: ctx.now().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    files: files.map(({ name, key, size, sha256, rows }) => ({ name, key, size, sha256, rows })),
    ...totals,
  };
  report('marker', files.length, bytesTotal, bytesTotal);
  const markerBody = Buffer.from(JSON.stringify(manifest, null, 2) + '\n');
  try {
    await ctx.clients.s3.send(new PutObjectCommand({
      Bucket: bucket, Key: marker, Body: markerBody, ContentType: 'application/json',
      ChecksumSHA256: createHash('sha256').update(markerBody).digest('base64'),
    }));
  } catch (err) {
    throw explainAwsError(err, 's3:PutObject', `s3://${bucket}/${marker}`);
  }
  return {
    bucket, partition: partition.date, date_source: options.date ? 'flag' : 'today (UTC)', prefix, marker_key: marker,
    files, ...totals, other_objects: otherObjects, seconds: (Date.now() - started) / 1000,
  };
}

/** Bytes for people: B, KiB, MiB, GiB. */
export function humanBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Lists at most this many files and notes; a 10,000-file drop still ends in a screenful. */
const SHOWN = 20;

export function renderDrop(r: DropResult): string[] {
  const lines = [`partition ${r.partition} (date from ${r.date_source}) -> s3://${r.bucket}/${r.prefix}`];
  for (const f of r.files.slice(0, SHOWN)) {
    lines.push(`  ${f.replaced ? 'replaced' : 'uploaded'} ${printable(f.name)}  ${humanBytes(f.size)}  ${f.rows} rows  sha256 ${f.sha256.slice(0, 12)}…`);
  }
  if (r.files.length > SHOWN) lines.push(`  ... and ${r.files.length - SHOWN} more file(s); the marker lists every one (--json prints them)`);
  lines.push(`  marker   ${MARKER_NAME}  (${r.total_files} files, ${r.total_rows} rows)`);
  for (const o of r.other_objects.slice(0, SHOWN)) lines.push(`  note: ${printable(o.slice(r.prefix.length))} was already in the partition and is not in this drop's marker`);
  if (r.other_objects.length > SHOWN) lines.push(`  note: ... and ${r.other_objects.length - SHOWN} more object(s) already in the partition and not in this drop's marker`);
  lines.push(`dropped ${r.files.length} file(s), ${humanBytes(r.total_bytes)}, ${r.total_rows} rows in ${r.seconds.toFixed(1)} s`);
  return lines;
}

const count = (n: number) => n.toLocaleString('en-US');

/**
 * Renders drop progress as one line: files and bytes done over the whole drop, and during the
 * upload the rate and an ETA (from bytes; the rate counts from the upload's start). It keeps the
 * start of each phase: pass every event to `observe` (or `render`), in order; `nowMs` is injected
 * for tests.
 */
export class DropProgressView {
  private phase?: DropProgress['phase'];
  private phaseStart = 0;

  /** Notes when each phase began; cheap, so call it for every event, rendered or not. */
  observe(p: DropProgress, nowMs: number): void {
    if (p.phase !== this.phase) {
      this.phase = p.phase;
      this.phaseStart = nowMs;
    }
  }

  render(p: DropProgress, nowMs: number): string {
    this.observe(p, nowMs);
    const files = `${count(p.filesDone)}/${count(p.filesTotal)} files`;
    switch (p.phase) {
      case 'inspect':
        return `inspecting ${files} (${humanBytes(p.bytesDone)})`;
      case 'check':
        return `listing the partition for existing objects (${count(p.filesTotal)} files, ${humanBytes(p.bytesTotal)} checked)`;
      case 'marker':
        return `writing ${MARKER_NAME} (${count(p.filesTotal)} files, ${humanBytes(p.bytesTotal)} uploaded)`;
      case 'upload': {
        const fraction = p.bytesTotal ? p.bytesDone / p.bytesTotal : p.filesDone / Math.max(p.filesTotal, 1);
        const width = 20;
        const bar = '#'.repeat(Math.round(fraction * width)).padEnd(width, '.');
        const seconds = (nowMs - this.phaseStart) / 1000;
        const rates = seconds > 0 && p.bytesDone > 0
          ? `  ${count(Math.round(p.filesDone / seconds))} files/s  ${humanBytes(Math.round(p.bytesDone / seconds))}/s  ETA ${formatDuration((seconds * (1 - fraction)) / fraction)}`
          : '';
        return `[${bar}] ${String(Math.floor(fraction * 100)).padStart(3)}% uploading ${files}  ${humanBytes(p.bytesDone)}/${humanBytes(p.bytesTotal)}${rates}`;
      }
    }
  }
}
