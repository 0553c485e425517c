/**
 * Keeps the help transcripts in the docs true: every block between
 * `<!-- xetl-help: <args> -->` and `<!-- /xetl-help -->` is the CLI's own output for `xetl <args>`.
 * `npx nx run cli:docs` rewrites them; a test fails when one is stale.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from './main';

export const HELP_DOCS = [path.resolve(__dirname, '../../../docs/operations.md')];

const BLOCK = /(<!-- xetl-help: ([^>]*?) -->\n)[\s\S]*?(<!-- \/xetl-help -->)/g;

async function transcript(args: string): Promise<string> {
  const out: string[] = [];
  await main(args.split(' '), { out: (l) => out.push(l), err: (l) => out.push(l) });
  return ['```', `$ xetl ${args}`, ...out.join('\n').split('\n'), '```', ''].join('\n');
}

/** The document with every help block regenerated. */
export async function renderHelpBlocks(doc: string): Promise<string> {
  const blocks = [...doc.matchAll(BLOCK)];
  let result = doc;
  for (const m of blocks) {
    result = result.replace(m[0], `${m[1]}${await transcript(m[2])}${m[3]}`);
  }
  return result;
}

if (require.main === module) {
  (async () => {
    for (const file of HELP_DOCS) {
      const doc = fs.readFileSync(file, 'utf8');
      const fresh = await renderHelpBlocks(doc);
      if (fresh !== doc) fs.writeFileSync(file, fresh);
      console.log(`${path.relative(process.cwd(), file)}: ${fresh === doc ? 'up to date' : 'help transcripts rewritten'}`);
    }
  })();
}
