// The floor for the local run's deploy (tools/local/bench.py): the smallest stack the local deploy
// can apply (one provider pinned to the local environment's account A, one bucket), synthesized
// and applied by tools/local/deploy-local.ts exactly as xetl-local-source is.
import { App, TerraformStack } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { loadConfig, Naming, selectEnvironment } from '@xetl/config';

const env = selectEnvironment(loadConfig(), 'local');
const app = new App();
const stack = new TerraformStack(app, 'xetl-local-floor-one-bucket');
new AwsProvider(stack, 'aws', { region: env.region, allowedAccountIds: [new Naming(env).accountId('source')] });
new S3Bucket(stack, 'bucket', { bucket: 'xetl-local-floor-one-bucket' });
app.synth();
