import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from './load';
import { Naming } from './naming';
import {
  PIPELINE_CONTRACT_COMMAND, PIPELINE_CONTRACT_DOC, PIPELINE_CONTRACT_FILE, PIPELINE_VARIABLE_FIELDS, markerEventPattern,
  partitionPath, pipelineContractJson, pipelineVariable, pipelineVariableSchema, pipelineVariableTable, withPipelineVariableTable,
} from './pipeline-contract';

const config = loadConfig();
const repoRoot = path.resolve(__dirname, '../../..');

/** The checks a JSON Schema validator applies to these flat fields (type, pattern, bounds, required, no extras). */
function schemaProblems(value: Record<string, unknown>): string[] {
  const schema = pipelineVariableSchema() as { properties: Record<string, any>; required: string[] };
  const problems: string[] = [];
  for (const key of schema.required) if (!(key in value)) problems.push(`${key}: missing`);
  for (const [key, v] of Object.entries(value)) {
    const spec = schema.properties[key];
    if (!spec) { problems.push(`${key}: not in the schema`); continue; }
    if (spec.type === 'integer' && !(Number.isInteger(v) && v as number >= spec.minimum && v as number <= spec.maximum)) problems.push(`${key}: ${v}`);
    if (spec.type === 'number' && !(typeof v === 'number' && v >= spec.minimum && v <= spec.maximum)) problems.push(`${key}: ${v}`);
    if (spec.type === 'string' && (typeof v !== 'string' || (spec.pattern && !new RegExp(spec.pattern).test(v)))) problems.push(`${key}: ${v}`);
  }
  return problems;
}

describe('pipeline contract', () => {
  test(`the checked-in ${PIPELINE_CONTRACT_FILE} is what the generator writes`, () => {
    const file = path.join(repoRoot, PIPELINE_CONTRACT_FILE);
    const checkedIn = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '(missing)';
    // On failure: run `npx nx run config:contract` and commit the file with the change to the contract.
    expect({ file: PIPELINE_CONTRACT_FILE, command: PIPELINE_CONTRACT_COMMAND, text: checkedIn })
      .toEqual({ file: PIPELINE_CONTRACT_FILE, command: PIPELINE_CONTRACT_COMMAND, text: pipelineContractJson() });
  });

  test(`${PIPELINE_CONTRACT_DOC} lists exactly the variable's fields, as the generator writes them`, () => {
    const doc = fs.readFileSync(path.join(repoRoot, PIPELINE_CONTRACT_DOC), 'utf8');
    // On failure: run `npx nx run config:contract` and commit the document with the change to the contract.
    expect({ command: PIPELINE_CONTRACT_COMMAND, doc }).toEqual({ command: PIPELINE_CONTRACT_COMMAND, doc: withPipelineVariableTable(doc) });
    const listed = [...pipelineVariableTable().matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect(listed).toEqual(Object.keys(PIPELINE_VARIABLE_FIELDS));
    expect(() => withPipelineVariableTable('no markers here')).toThrow(/lacks the markers/);
  });

  test('the contract file has the DAG id, the variable schema, the marker and the partition layout', () => {
    const contract = JSON.parse(pipelineContractJson());
    expect(Object.keys(contract)).toEqual(['$comment', 'dag_id', 'pool', 'variable', 'marker', 'partition']);
    expect(contract.pool).toEqual({ name: 'xetl_pipeline', slots: 1, include_deferred: true });
    expect(contract.$comment).toBe('generated from libs/config/src/pipeline-contract.ts by npx nx run config:contract; do not edit');
    expect(contract.dag_id).toBe('xetl_products_pipeline');
    expect(contract.variable.key).toBe('xetl_pipeline');
    expect(contract.variable.schema).toMatchObject({ type: 'object', additionalProperties: false });
    expect(contract.variable.schema.required).toEqual(Object.keys(contract.variable.schema.properties));
    expect(contract.marker).toEqual({
      file_name: '_SUCCESS',
      event_pattern: {
        source: ['aws.s3'], 'detail-type': ['Object Created'],
        detail: { bucket: { name: ['{source_bucket}'] }, object: { key: [{ wildcard: '{source_prefix}/*/_SUCCESS' }] } },
      },
    });
    expect(contract.partition).toEqual({ format: 'YYYY-MM-DD', path: '{prefix}/year={yyyy}/month={mm}/day={dd}/' });
  });

  test.each(config.environments.map((e) => e.name))('pipelineVariable (%s) fills every field and meets the schema', (name) => {
    const env = config.environments.find((e) => e.name === name)!;
    const names = new Naming(env);
    const B = env.accounts.analytics;
    const value = pipelineVariable(names, env, {
      snsTopicArn: `arn:aws:sns:${env.region}:${B}:${names.pipelineTopic}`,
      redshiftEndpoint: `${names.redshiftWorkgroup}.${B}.${env.region}.redshift-serverless.amazonaws.com`,
      targetKmsKeyArn: `arn:aws:kms:${env.region}:${env.accounts.source}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    });
    expect(Object.keys(value)).toEqual(Object.keys(PIPELINE_VARIABLE_FIELDS));
    expect(schemaProblems(value)).toEqual([]);
    expect(value).toMatchObject({
      source_bucket: names.sourceBucket, unload_role_chain: names.unloadRoleChain,
      sensor_timeout_seconds: env.airflow.sensorTimeoutSeconds, max_quarantine_ratio: env.airflow.maxQuarantineRatio,
    });
  });

  test('the schema refuses a missing field, an unknown one, a wrong type and a malformed ARN', () => {
    const env = config.environments[0];
    const good = pipelineVariable(new Naming(env), env, {
      snsTopicArn: `arn:aws:sns:${env.region}:${env.accounts.analytics}:t`,
      redshiftEndpoint: 'wg.222222222222.eu-west-1.redshift-serverless.amazonaws.com',
      targetKmsKeyArn: `arn:aws:kms:${env.region}:${env.accounts.source}:key/k`,
    }) as Record<string, unknown>;
    const { glue_job: _dropped, ...missing } = good;
    expect(schemaProblems(missing)).toEqual(['glue_job: missing']);
    expect(schemaProblems({ ...good, extra: 'x' })).toEqual(['extra: not in the schema']);
    expect(schemaProblems({ ...good, sensor_timeout_seconds: '21600' })).toEqual(['sensor_timeout_seconds: 21600']);
    expect(schemaProblems({ ...good, sns_topic_arn: 'topic' })).toEqual(['sns_topic_arn: topic']);
    // S3 needs the key ARN for a key of another account: the alias ARN the stack writes before it
    // is deployed with the key's ARN is refused (by the DAG's first task, from this schema).
    const alias = `arn:aws:kms:${env.region}:${env.accounts.source}:alias/xetl-${env.name}-data`;
    expect(schemaProblems({ ...good, target_kms_key_arn: alias })).toEqual([`target_kms_key_arn: ${alias}`]);
    expect(schemaProblems({ ...good, max_quarantine_ratio: 1.5 })).toEqual(['max_quarantine_ratio: 1.5']);
  });

  test('pipelineVariable refuses names of another environment', () => {
    const [a, b] = config.environments;
    expect(() => pipelineVariable(new Naming(a), b, { snsTopicArn: '', targetKmsKeyArn: '', redshiftEndpoint: '' })).toThrow(/names are for/);
  });

  test('the marker pattern names the bucket and requires prefix and marker on the key', () => {
    expect(markerEventPattern({ bucketName: 'b', prefix: 'products' })).toEqual({
      source: ['aws.s3'], 'detail-type': ['Object Created'],
      detail: { bucket: { name: ['b'] }, object: { key: [{ wildcard: 'products/*/_SUCCESS' }] } },
    });
  });

  test('partitionPath lays a date out as year=/month=/day= and refuses anything else', () => {
    expect(partitionPath('products', '2026-11-20')).toBe('products/year=2026/month=11/day=20/');
    expect(() => partitionPath('products', '2026-11-2')).toThrow('partition "2026-11-2" is not a YYYY-MM-DD date');
  });
});
