/**
 * Writes dags/xetl_tasks/pipeline_contract.json from libs/config/src/pipeline-contract.ts, so the
 * Python side reads the same DAG id, variable schema, marker pattern and partition layout.
 *   npx nx run config:contract
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PIPELINE_CONTRACT_FILE, pipelineContractJson } from '../pipeline-contract';

const file = path.resolve(__dirname, '../../../..', PIPELINE_CONTRACT_FILE);
const text = pipelineContractJson();
const before = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
fs.writeFileSync(file, text);
process.stdout.write(`${PIPELINE_CONTRACT_FILE}: ${before === text ? 'unchanged' : 'written'}\n`);
