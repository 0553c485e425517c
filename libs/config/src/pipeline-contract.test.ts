import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadConfig } from './load';
import { Naming } from './naming';
import {
  DBT_DOCS_PREFIX, PIPELINE_CONTRACT_COMMAND, PIPELINE_CONTRACT_DOC, PIPELINE_CONTRACT_FILE, PIPELINE_VARIABLE_FIELDS,
  markerEventPattern, partitionPath, pipelineContractJson, pipelineVariable, pipelineVariableProblems, pipelineVariableSchema,
  pipelineVariableTable, withPipelineVariableTable,
} from './pipeline-contract';

const config = loadConfig();
const repoRoot = path.resolve(__dirname, '../../..');

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
    expect(Object.keys(contract)).toEqual(['$comment', 'dag_id', 'pool', 'variable', 'marker', 'partition', 'dbt_docs']);
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
    expect(contract.dbt_docs).toEqual({ prefix: DBT_DOCS_PREFIX });
    expect(DBT_DOCS_PREFIX).toBe('dbt-docs/');
  });

  test.each(config.environments.map((e) => e.name))('pipelineVariable (%s) fills every field and meets the schema', (name) => {
    const env = config.environments.find((e) => e.name === name)!;
    const names = new Naming(env);
    const B = env.accounts.analytics;
    const value = pipelineVariable(names, env, {
      snsTopicArn: `arn:aws:sns:${env.region}:${B}:${names.pipelineTopic}`,
      redshiftEndpoint: `${names.redshiftWorkgroup}.${B}.${env.region}.redshift-serverless.amazonaws.com`,
      targetKmsKeyArn: `arn:aws:kms:${env.region}:${env.accounts.source}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
      chatTopicArn: `arn:aws:sns:${env.region}:${B}:${names.chatTopic}`,
      airflowUrl: 'https://0123abcd-4567-89ef-0123-456789abcdef.c2.airflow.eu-west-1.on.aws',
    });
    expect(Object.keys(value)).toEqual(Object.keys(PIPELINE_VARIABLE_FIELDS));
    expect(pipelineVariableProblems(value)).toEqual([]);
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
      chatTopicArn: '',
      airflowUrl: '',
    }) as Record<string, unknown>;
    const { glue_job: _dropped, ...missing } = good;
    expect(pipelineVariableProblems(missing)).toEqual(['missing glue_job']);
    expect(pipelineVariableProblems({ ...good, extra: 'x' })).toEqual(['unknown field extra']);
    expect(pipelineVariableProblems({ ...good, sensor_timeout_seconds: '21600' })).toEqual(['sensor_timeout_seconds must be integer, got string']);
    expect(pipelineVariableProblems({ ...good, redshift_port: 5439.5 })).toEqual(['redshift_port must be integer, got number']);
    expect(pipelineVariableProblems({ ...good, max_quarantine_ratio: null })).toEqual(['max_quarantine_ratio must be number, got null']);
    expect(pipelineVariableProblems({ ...good, sns_topic_arn: 'topic' })).toEqual([
      `sns_topic_arn "topic" does not match ${PIPELINE_VARIABLE_FIELDS.sns_topic_arn.pattern}`,
    ]);
    // S3 needs the key ARN for a key of another account: the alias ARN the stack writes before it
    // is deployed with the key's ARN is refused (by the DAG's first task and xetl doctor, from this schema).
    const alias = `arn:aws:kms:${env.region}:${env.accounts.source}:alias/xetl-${env.name}-data`;
    expect(pipelineVariableProblems({ ...good, target_kms_key_arn: alias })).toEqual([
      `target_kms_key_arn "${alias}" does not match ${PIPELINE_VARIABLE_FIELDS.target_kms_key_arn.pattern}`,
    ]);
    expect(pipelineVariableProblems({ ...good, max_quarantine_ratio: 1.5 })).toEqual(['max_quarantine_ratio 1.5 is outside 0..1']);
    expect(pipelineVariableProblems({ ...good, redshift_port: 80 })).toEqual(['redshift_port 80 is outside 1150..65535']);
  });

  test('every problem is reported, missing fields first, and a value that is not an object is one problem', () => {
    expect(pipelineVariableProblems({ environment: 'dev', extra: 1, redshift_port: 'x' })).toEqual([
      ...Object.keys(PIPELINE_VARIABLE_FIELDS).filter((k) => k !== 'environment' && k !== 'redshift_port').map((k) => `missing ${k}`),
      'unknown field extra',
      'redshift_port must be integer, got string',
    ]);
    expect(pipelineVariableProblems(['a'])).toEqual(['the value is array, not a JSON object']);
    expect(pipelineVariableProblems(null)).toEqual(['the value is null, not a JSON object']);
    expect(pipelineVariableProblems('{}')).toEqual(['the value is string, not a JSON object']);
  });

  test('the validator knows every schema keyword the fields use (a new keyword needs a new check)', () => {
    const used = new Set(Object.values(pipelineVariableSchema().properties as Record<string, object>).flatMap((spec) => Object.keys(spec)));
    expect([...used].sort()).toEqual(['description', 'maximum', 'minimum', 'pattern', 'type']);
  });

  test('the chat topic and the Airflow UI may be empty (none configured) but never malformed', () => {
    const env = config.environments[0];
    const topic = `arn:aws:sns:${env.region}:${env.accounts.analytics}:xetl-${env.name}-chat`;
    const good = pipelineVariable(new Naming(env), env, {
      snsTopicArn: topic, redshiftEndpoint: 'wg.eu-west-1.redshift-serverless.amazonaws.com',
      targetKmsKeyArn: `arn:aws:kms:${env.region}:${env.accounts.source}:key/k`, chatTopicArn: topic, airflowUrl: 'https://abc.airflow.on.aws',
    }) as Record<string, unknown>;
    const mismatch = (key: keyof typeof PIPELINE_VARIABLE_FIELDS, value: string) =>
      `${key} "${value}" does not match ${(PIPELINE_VARIABLE_FIELDS[key] as { pattern: string }).pattern}`;
    expect(pipelineVariableProblems(good)).toEqual([]);
    expect(pipelineVariableProblems({ ...good, chat_topic_arn: '', airflow_url: '' })).toEqual([]);
    expect(pipelineVariableProblems({ ...good, chat_topic_arn: 'xetl-dev-chat' })).toEqual([mismatch('chat_topic_arn', 'xetl-dev-chat')]);
    // A host without scheme (what MWAA's API documents) or with a path would make broken links.
    expect(pipelineVariableProblems({ ...good, airflow_url: 'abc.airflow.on.aws' })).toEqual([mismatch('airflow_url', 'abc.airflow.on.aws')]);
    expect(pipelineVariableProblems({ ...good, airflow_url: 'https://abc.airflow.on.aws/' })).toEqual([mismatch('airflow_url', 'https://abc.airflow.on.aws/')]);
  });

  test('pipelineVariable refuses names of another environment', () => {
    const [a, b] = config.environments;
    expect(() => pipelineVariable(new Naming(a), b, { snsTopicArn: '', targetKmsKeyArn: '', redshiftEndpoint: '', chatTopicArn: '', airflowUrl: '' }))
      .toThrow(/names are for/);
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
