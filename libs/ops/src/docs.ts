import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';
import * as path from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { OpsContext } from './context';
import { EXIT, XetlError, awsErrorKind, explainAwsError } from './errors';

/**
 * `xetl docs`: the dbt docs site the DAG's `publish_dbt_docs` task writes to the staging bucket
 * (`<staging>/dbt-docs/`, private, encrypted with account B's key), fetched with the caller's
 * credentials into a temporary folder and served on 127.0.0.1 only, like `dbt docs serve`.
 */

/** What `dbt docs generate` writes and the site loads: the page, then the two JSON files it fetches. */
export const DOCS_SITE_FILES = ['index.html', 'manifest.json', 'catalog.json'] as const;
/** `dbt docs serve`'s port, so bookmarks keep working. */
export const DEFAULT_DOCS_PORT = 8080;
const LOOPBACK = '127.0.0.1';
const CONTENT_TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.json': 'application/json; charset=utf-8' };

export interface DocsFile {
  readonly name: string;
  readonly bytes: number;
  readonly last_modified: string | null;
}

/** `xetl docs --json` (libs/ops/schemas/docs.schema.json), printed once the site is served. */
export interface DocsReport {
  readonly environment: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly url: string;
  readonly dir: string;
  readonly files: readonly DocsFile[];
}

/** A served site: its report, and `close` to stop serving and delete the temporary folder. */
export interface DocsSession {
  readonly report: DocsReport;
  close(): Promise<void>;
}

/** Downloads the site's files from the staging bucket into `dir`; a missing file is one line naming the fix. */
export async function fetchDocsSite(ctx: OpsContext, dir: string): Promise<DocsFile[]> {
  const { names, env } = ctx;
  const bucket = names.stagingBucket;
  const prefix = names.stagingDbtDocsPrefix;
  return Promise.all(DOCS_SITE_FILES.map(async (name) => {
    const key = `${prefix}${name}`;
    try {
      const got = await ctx.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      const body = await got.Body!.transformToByteArray();
      fs.writeFileSync(path.join(dir, name), body);
      return { name, bytes: body.length, last_modified: got.LastModified ? got.LastModified.toISOString().replace(/\.\d{3}Z$/, 'Z') : null };
    } catch (err) {
      if (awsErrorKind(err) === 'not-found') {
        throw new XetlError(
          `no dbt docs site at s3://${bucket}/${prefix} (${name} is missing): the DAG's publish_dbt_docs task writes it once a run ` +
          `has published its partition; see xetl runs --env ${env.name}, and xetl logs --env ${env.name} --partition <day> --task publish_dbt_docs`,
          EXIT.aws,
        );
      }
      throw explainAwsError(err, 's3:GetObject', `arn:${names.partition}:s3:::${bucket}/${key}`);
    }
  }));
}

/** Serves exactly the site's files from `dir` on 127.0.0.1 (`/` is index.html); anything else is a 404. */
export async function serveDocsDir(dir: string, port: number): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const requested = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname).replace(/^\/+/, '') || 'index.html';
    const name = (DOCS_SITE_FILES as readonly string[]).includes(requested) ? requested : undefined;
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !name) {
      res.writeHead(name ? 405 : 404, { 'content-type': 'text/plain; charset=utf-8' }).end(name ? 'read-only\n' : 'not found\n');
      return;
    }
    const body = fs.readFileSync(path.join(dir, name));
    // The site changes with every run; a browser must not keep yesterday's catalog.
    res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(name)], 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'is in use' : err.code === 'EACCES' ? 'needs privileges' : `cannot be opened (${err.code ?? err.message})`;
      reject(new XetlError(`port ${port} on ${LOOPBACK} ${why}; pick another with --port N (0: any free port)`, EXIT.usage));
    });
    server.listen(port, LOOPBACK, resolve);
  });
  return server;
}

/** Fetches the environment's docs site and serves it; the caller stops it with `close()`. */
export async function docs(ctx: OpsContext, options: { port?: number } = {}): Promise<DocsSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-docs-'));
  const removeDir = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const files = await fetchDocsSite(ctx, dir);
    const server = await serveDocsDir(dir, options.port ?? DEFAULT_DOCS_PORT);
    const { port } = server.address() as { port: number };
    return {
      report: {
        environment: ctx.env.name, bucket: ctx.names.stagingBucket, prefix: ctx.names.stagingDbtDocsPrefix,
        url: `http://${LOOPBACK}:${port}/`, dir, files,
      },
      close: async () => {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        removeDir();
      },
    };
  } catch (err) {
    removeDir();
    throw err;
  }
}

export function renderDocs(r: DocsReport): string[] {
  const catalog = r.files.find((f) => f.name === 'catalog.json');
  const kb = Math.ceil(r.files.reduce((n, f) => n + f.bytes, 0) / 1024);
  return [
    `dbt docs of ${r.environment}: s3://${r.bucket}/${r.prefix} (${r.files.length} files, ${kb} KiB${catalog?.last_modified ? `, generated ${catalog.last_modified}` : ''})`,
    `serving on ${r.url}  (127.0.0.1 only; Ctrl-C stops it and deletes ${r.dir})`,
  ];
}
