import * as fs from 'node:fs';
import * as path from 'node:path';
import { XetlError, EXIT } from './errors';

/**
 * The warehouse migrations, ordered as `sql/xetl_sql_tools/migrations.py` orders them: files named
 * `NNNN_<snake_case_intent>.sql`, numbers unique and contiguous from 0001. Reimplemented here
 * (not called) so the CLI needs no Python; `migrations.test.ts` checks both agree on the files.
 */
export interface Migration {
  readonly number: number;
  readonly name: string;
  readonly file: string;
  readonly statements: readonly string[];
}

const FILE_NAME = /^(\d{4})_([a-z0-9]+(?:_[a-z0-9]+)*)\.sql$/;

/** `sql/` at the repository root, unless `XETL_SQL_ROOT` points elsewhere (as for the Python side). */
export function sqlRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.XETL_SQL_ROOT ?? path.resolve(__dirname, '../../../sql');
}

export function listMigrations(root: string = sqlRoot()): Migration[] {
  const folder = path.join(root, 'migrations');
  if (!fs.existsSync(folder)) throw new XetlError(`no migrations folder at ${folder}; run from a checkout or set XETL_SQL_ROOT`, EXIT.usage);
  const found: Migration[] = [];
  for (const name of fs.readdirSync(folder).sort()) {
    if (path.extname(name) !== '.sql') continue;
    const m = FILE_NAME.exec(name);
    if (!m) throw new XetlError(`${name}: migration files are named NNNN_<snake_case_intent>.sql`, EXIT.usage);
    const file = path.join(folder, name);
    found.push({ number: Number(m[1]), name: m[2], file, statements: splitStatements(fs.readFileSync(file, 'utf8')) });
  }
  found.sort((a, b) => a.number - b.number);
  found.forEach((m, i) => {
    if (m.number !== i + 1) {
      throw new XetlError(`${path.basename(m.file)}: expected migration number ${String(i + 1).padStart(4, '0')} (numbers are unique and contiguous from 0001)`, EXIT.usage);
    }
  });
  return found;
}

type Kind = 'code' | 'string' | 'identifier' | 'line_comment' | 'block_comment' | 'dollar';
interface Segment { kind: Kind; start: number; end: number }

const DOLLAR_TAG = /\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$/y;

function endOfQuoted(text: string, start: number, quote: string, what: string): number {
  let pos = start + 1;
  for (;;) {
    const close = text.indexOf(quote, pos);
    if (close === -1) throw new XetlError(`unterminated ${what} at offset ${start}`, EXIT.usage);
    if (text.startsWith(quote, close + 1)) {
      pos = close + 2;
      continue;
    }
    return close + 1;
  }
}

/** Lexical segments, as `sql/xetl_sql/sqltext.py` defines them (quotes, comments, $tag$ bodies). */
function segments(text: string): Segment[] {
  const out: Segment[] = [];
  let pos = 0;
  let codeStart = 0;
  while (pos < text.length) {
    const ch = text[pos];
    let kind: Kind | undefined;
    let end = pos;
    if (ch === "'") [kind, end] = ['string', endOfQuoted(text, pos, "'", 'string literal')];
    else if (ch === '"') [kind, end] = ['identifier', endOfQuoted(text, pos, '"', 'quoted identifier')];
    else if (text.startsWith('--', pos)) {
      const nl = text.indexOf('\n', pos);
      [kind, end] = ['line_comment', nl === -1 ? text.length : nl];
    } else if (text.startsWith('/*', pos)) {
      const close = text.indexOf('*/', pos + 2);
      if (close === -1) throw new XetlError(`unterminated block comment at offset ${pos}`, EXIT.usage);
      [kind, end] = ['block_comment', close + 2];
    } else if (ch === '$' && (pos === 0 || !/[A-Za-z0-9_]/.test(text[pos - 1]))) {
      DOLLAR_TAG.lastIndex = pos;
      const m = DOLLAR_TAG.exec(text);
      if (m) {
        const close = text.indexOf(m[0], pos + m[0].length);
        if (close === -1) throw new XetlError(`unterminated ${m[0]} body at offset ${pos}`, EXIT.usage);
        [kind, end] = ['dollar', close + m[0].length];
      }
    }
    if (!kind) {
      pos++;
      continue;
    }
    if (codeStart < pos) out.push({ kind: 'code', start: codeStart, end: pos });
    out.push({ kind, start: pos, end });
    pos = codeStart = end;
  }
  if (codeStart < text.length) out.push({ kind: 'code', start: codeStart, end: text.length });
  return out;
}

function stripComments(text: string): string {
  return segments(text).filter((s) => s.kind !== 'line_comment' && s.kind !== 'block_comment').map((s) => text.slice(s.start, s.end)).join('');
}

/** Statements at top-level semicolons, comments kept, empty ones dropped (as `split_statements`). */
export function splitStatements(text: string): string[] {
  const statements: string[] = [];
  let start = 0;
  const close = (end: number) => {
    const piece = text.slice(start, end).trim();
    if (stripComments(piece).trim()) statements.push(piece);
  };
  for (const seg of segments(text)) {
    if (seg.kind !== 'code') continue;
    let semi = text.indexOf(';', seg.start);
    while (semi !== -1 && semi < seg.end) {
      close(semi);
      start = semi + 1;
      semi = text.indexOf(';', start);
    }
  }
  close(text.length);
  return statements;
}
