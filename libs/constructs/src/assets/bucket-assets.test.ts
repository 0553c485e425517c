import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { S3BucketVersioningA } from '@cdktf/provider-aws/lib/s3-bucket-versioning';
import { resourcesOf, synthJson, testStack } from '../test-helpers';
import { listAssetFiles, requireFile } from './asset-files';
import { BucketAssets } from './bucket-assets';

function fixture(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xetl-assets-'));
  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  };
  write('dags/pipeline.py', 'dag = 1\n');
  write('dags/requirements.txt', '--constraint "/usr/local/airflow/dags/constraints.txt"\n');
  write('dags/pkg/__init__.py', '');
  write('dags/pkg/__pycache__/x.pyc', 'bytes');
  write('dags/tests/test_dag.py', 'def test(): pass\n');
  write('dags/bench_parse.py', 'bench\n');
  return dir;
}

describe('listAssetFiles', () => {
  test('lists files sorted by key, skipping excluded files and folders', () => {
    const dir = fixture();
    const files = listAssetFiles({ dir: path.join(dir, 'dags'), keyPrefix: 'dags/', exclude: [/(^|\/)tests\//, /(^|\/)__pycache__\//, /(^|\/)bench[^/]*$/] });
    expect(files.map((f) => f.key)).toEqual(['dags/pipeline.py', 'dags/pkg/__init__.py', 'dags/requirements.txt']);
  });

  test('requireFile names the missing file and the remedy', () => {
    expect(() => requireFile('/nope/xetl_transform.zip', 'run the package target')).toThrow(/xetl_transform\.zip does not exist: run the package target/);
  });
});

describe('BucketAssets', () => {
  const dir = fixture();
  const stack = testStack();
  const files = listAssetFiles({ dir: path.join(dir, 'dags'), keyPrefix: 'dags/', exclude: [/(^|\/)tests\//, /(^|\/)__pycache__\//] });
  new BucketAssets(stack, 'Dags', { bucketId: 'airflow-bucket', kmsKeyArn: 'arn:aws:kms:eu-west-1:222222222222:key/k', files });
  const json = synthJson(stack);
  const objects = resourcesOf(json, 'aws_s3_object');

  test('uploads every file with a content hash, so a change is a plan diff', () => {
    expect(objects.map((o) => o.key).sort()).toEqual(files.map((f) => f.key));
    for (const o of objects) {
      expect(o.source_hash).toMatch(/^[0-9A-F]{32}$/i);
      expect(o.source).toMatch(/^assets\//);
    }
  });

  test('gives different content different hashes', () => {
    const hashes = new Set(objects.map((o) => o.source_hash));
    expect(hashes.size).toBe(objects.length);
  });

  test('waits for what it is told to, e.g. versioning, for every object', () => {
    const versioned = testStack();
    const bucket = new S3BucketVersioningA(versioned, 'Versioning', { bucket: 'b', versioningConfiguration: { status: 'Enabled' } });
    new BucketAssets(versioned, 'Dags', { bucketId: 'b', kmsKeyArn: 'k', files, dependsOn: [bucket] });
    for (const o of resourcesOf(synthJson(versioned), 'aws_s3_object')) {
      expect(o.depends_on).toEqual([expect.stringMatching(/^aws_s3_bucket_versioning\.Versioning/)]);
    }
  });

  test('writes SSE-KMS with the bucket key', () => {
    for (const o of objects) {
      expect(o).toMatchObject({ bucket: 'airflow-bucket', server_side_encryption: 'aws:kms', kms_key_id: 'arn:aws:kms:eu-west-1:222222222222:key/k', bucket_key_enabled: true });
    }
  });
});
