import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { doctor, doctorPassed, renderDoctor } from './doctor';
import { Naming, loadConfig, selectEnvironment } from '@xetl/config';
import { motoContext, resetMoto, useMoto } from './test-support/moto';
import { expectCliJson } from './test-support/json-schema';

jest.setTimeout(120_000);
const moto = useMoto();

/** Account A and B as the stacks leave them, in one moto account; `omit` leaves one piece out. */
async function deployed(omit?: 'alias' | 'secret' | 'objects') {
  await resetMoto(moto.server().endpoint);
  const ctx = motoContext(moto.server().endpoint);
  const { names, clients } = ctx;
  await clients.s3.send(new CreateBucketCommand({ Bucket: names.sourceBucket }));
  if (omit !== 'objects') await clients.s3.send(new PutObjectCommand({ Bucket: names.sourceBucket, Key: 'products/year=2026/month=11/day=21/a.csv', Body: 'x' }));
  const key = await clients.kms.send(new CreateKeyCommand({}));
  if (omit !== 'alias') await clients.kms.send(new CreateAliasCommand({ AliasName: names.dataKeyAlias, TargetKeyId: key.KeyMetadata!.KeyId }));
  if (omit !== 'secret') await clients.secrets.send(new CreateSecretCommand({ Name: names.pipelineVariableSecret, SecretString: '{"never":"printed"}' }));
  await clients.secrets.send(new CreateSecretCommand({ Name: 'unrelated/secret', SecretString: 'x' }));
  return ctx;
}

describe('xetl doctor (moto STS, S3, KMS, Secrets Manager)', () => {
  test('passes when every piece is in place, and never prints a secret value', async () => {
    const ctx = await deployed();
    const r = await doctor(ctx);
    expect(r.checks.map((c) => `${c.status} ${c.name}`)).toEqual(['PASS identity', 'PASS source-prefix', 'PASS data-key', 'PASS airflow-secrets']);
    expect(doctorPassed(r)).toBe(true);
    expectCliJson('doctor', r);
    const text = renderDoctor(r).join('\n');
    expect(text).toContain('caller arn:aws:sts::123456789012:user/moto');
    expect(text).toContain('1 secret(s) under airflow/: airflow/variables/xetl_pipeline');
    expect(text).not.toContain('printed');
    expect(text).not.toContain('unrelated');
  });

  test('a missing key alias is a FAIL line naming the alias and the stack to deploy', async () => {
    const ctx = await deployed('alias');
    const r = await doctor(ctx);
    expect(doctorPassed(r)).toBe(false);
    expect(renderDoctor(r)).toContain(
      'FAIL  data-key         key alias alias/xetl-local-data not found (arn:aws:kms:us-east-1:123456789012:alias/xetl-local-data); deploy xetl-local-source',
    );
  });

  test('a missing variable secret fails; an empty source prefix only warns', async () => {
    const ctx = await deployed('secret');
    const r = await doctor(ctx);
    expect(r.checks.find((c) => c.name === 'airflow-secrets')).toEqual({
      name: 'airflow-secrets', status: 'FAIL',
      detail: 'secret airflow/variables/xetl_pipeline not found under airflow/ (found: none); deploy xetl-local-analytics',
    });
    const empty = await doctor(await deployed('objects'));
    expect(empty.checks.find((c) => c.name === 'source-prefix')).toMatchObject({ status: 'WARN' });
    expect(doctorPassed(empty)).toBe(true);
  });

  test('assumes a role by short name, then checks as that role (moto STS issues the credentials)', async () => {
    const ctx = await deployed();
    const r = await doctor(ctx, { role: 'unload' });
    expect(r.checks[1]).toMatchObject({ name: 'assume-role', status: 'PASS' });
    expect(r.checks[1].detail).toContain('assumed arn:aws:iam::123456789012:role/xetl-local-unload');
    expect(r.caller).toBe('arn:aws:sts::123456789012:assumed-role/xetl-local-unload/xetl-doctor');
    await expect(doctor(ctx, { role: 'nope' })).rejects.toThrow('unknown role "nope"; give a role ARN or one of: unload, glue, mwaa, redshift');
  });

  test('AccessDenied on the source bucket names action, resource and caller (S3 stubbed: moto does not enforce IAM by default)', async () => {
    const ctx = await deployed();
    mockClient(ctx.clients.s3).on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }));
    const r = await doctor(ctx);
    expect(r.checks.find((c) => c.name === 'source-prefix')?.detail).toBe(
      "missing grant: s3:ListBucket on arn:aws:s3:::xetl-local-source-123456789012-us-east-1 (s3:prefix products/*) to arn:aws:sts::123456789012:user/moto; account A's bucket policy must allow it too",
    );
  });

  test('credentials for another account: one FAIL line naming both, and no probe that would advise "deploy"', async () => {
    const ctx = await deployed();
    const dev = selectEnvironment(loadConfig(), 'dev'); // accounts 111111111111 and 222222222222; moto answers 123456789012
    const r = await doctor({ ...ctx, env: dev, names: new Naming(dev) });
    expect(r.checks).toEqual([{
      name: 'identity', status: 'FAIL',
      detail: 'wrong account: the credentials from the environment (AWS_ACCESS_KEY_ID) are for account 123456789012 (arn:aws:sts::123456789012:user/moto), '
        + 'but environment dev runs in accounts 111111111111 (source, A) and 222222222222 (analytics, B); nothing was changed; use credentials for 111111111111 or 222222222222 (--profile or AWS_PROFILE)',
    }]);
    expect(renderDoctor(r).join('\n')).not.toContain('deploy');
    expectCliJson('doctor', r);
  });
});
