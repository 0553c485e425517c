/** plan-summary.ts <plan.json> --stack <name>: Markdown summary of `terraform show -json` output on stdout. */
import * as fs from 'node:fs';
import { renderSummary, summarizePlan } from '../plan-summary';

const [file] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--stack');
const stackIndex = process.argv.indexOf('--stack');
const stack = stackIndex >= 0 ? process.argv[stackIndex + 1] : undefined;
if (!file || !stack) {
  console.error('usage: plan-summary.ts <plan.json> --stack <name>');
  process.exit(2);
}
process.stdout.write(renderSummary(summarizePlan(JSON.parse(fs.readFileSync(file, 'utf8'))), { stack }));
