/**
 * Writes dags/xetl_tasks/pipeline_contract.json from libs/config/src/pipeline-contract.ts, so the
 * Python side reads the same DAG id, variable schema, marker pattern and partition layout, and the
 * variable's field table in docs/data-contract.md.
 *   npx nx run config:contract
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  PIPELINE_CONTRACT_DOC, PIPELINE_CONTRACT_FILE, pipelineContractJson, withPipelineVariableTable,
} from '../pipeline-contract';

const root = path.resolve(__dirname, '../../../..');

function write(relative: string, text: string): void {
  const file = path.join(root, relative);
  const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (before !== text) fs.writeFileSync(file, text);
  process.stdout.write(`${relative}: ${before === text ? 'unchanged' : 'written'}\n`);
}

write(PIPELINE_CONTRACT_FILE, pipelineContractJson());
const doc = path.join(root, PIPELINE_CONTRACT_DOC);
write(PIPELINE_CONTRACT_DOC, withPipelineVariableTable(fs.readFileSync(doc, 'utf8')));
