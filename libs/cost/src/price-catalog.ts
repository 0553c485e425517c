/**
 * Every price the estimator may use, by key: what it is, its unit, and how to find it in the AWS
 * Price List (`GetProducts`). The snapshot holds a figure per key and region; the refresh script
 * queries the matchers below. Units follow the Price List: a request price is per request, an
 * hourly price per hour, a storage price per GB-month.
 *
 * The matchers were written from the Price List's usage-type naming (`<region prefix>-<usage type>`)
 * and have not all been run against the live API yet: a refresh reports every key whose matcher
 * finds no product or several, and keeps the snapshot's figure for it.
 */

/** How to pick one product of the Price List for a region. */
export interface PriceListMatcher {
  /** Price List service code, e.g. "AmazonMWAA". */
  readonly serviceCode: string;
  /** Exact attribute filters sent to GetProducts besides `regionCode` (TERM_MATCH). */
  readonly attributes?: Readonly<Record<string, string>>;
  /** The product's `usagetype` must match (usage types carry a region prefix such as "EU-"). */
  readonly usagetype: RegExp;
}

export interface PriceDefinition {
  readonly description: string;
  /** The unit the figure is per, as the Price List names it. */
  readonly unit: string;
  /** The public page that publishes the figure. */
  readonly page: string;
  readonly priceList: PriceListMatcher;
}

const PAGES = {
  mwaa: 'https://aws.amazon.com/managed-workflows-for-apache-airflow/pricing/',
  privatelink: 'https://aws.amazon.com/privatelink/pricing/',
  vpc: 'https://aws.amazon.com/vpc/pricing/',
  kms: 'https://aws.amazon.com/kms/pricing/',
  secrets: 'https://aws.amazon.com/secrets-manager/pricing/',
  redshift: 'https://aws.amazon.com/redshift/pricing/',
  glue: 'https://aws.amazon.com/glue/pricing/',
  cloudwatch: 'https://aws.amazon.com/cloudwatch/pricing/',
  s3: 'https://aws.amazon.com/s3/pricing/',
  lambda: 'https://aws.amazon.com/lambda/pricing/',
  sqs: 'https://aws.amazon.com/sqs/pricing/',
  sns: 'https://aws.amazon.com/sns/pricing/',
  eventbridge: 'https://aws.amazon.com/eventbridge/pricing/',
  dynamodb: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
} as const;

/** The MWAA environment classes the snapshot prices, as the Price List spells their size. */
export const MWAA_SIZES: Readonly<Record<string, string>> = {
  'mw1.micro': 'Micro',
  'mw1.small': 'Small',
  'mw1.medium': 'Medium',
  'mw1.large': 'Large',
};

function mwaa(kind: 'Environment' | 'Worker' | 'Scheduler', size: string, what: string): PriceDefinition {
  return {
    description: `MWAA ${what}, ${size.toLowerCase()} class`,
    unit: 'Hrs',
    page: PAGES.mwaa,
    priceList: { serviceCode: 'AmazonMWAA', usagetype: new RegExp(`Airflow-${size}${kind}$`) },
  };
}

const mwaaPrices: Record<string, PriceDefinition> = {};
for (const [cls, size] of Object.entries(MWAA_SIZES)) {
  mwaaPrices[`mwaa.environment.${cls}`] = mwaa('Environment', size, 'environment (scheduler, web server, one worker)');
  // mw1.micro runs scheduler and worker in one container and cannot add either.
  if (cls === 'mw1.micro') continue;
  mwaaPrices[`mwaa.worker.${cls}`] = mwaa('Worker', size, 'additional worker');
  mwaaPrices[`mwaa.scheduler.${cls}`] = mwaa('Scheduler', size, 'additional scheduler');
}

export const PRICE_CATALOG: Readonly<Record<string, PriceDefinition>> = {
  ...mwaaPrices,
  'mwaa.metadb.gb-month': {
    description: 'MWAA metadata database storage', unit: 'GB-Mo', page: PAGES.mwaa,
    priceList: { serviceCode: 'AmazonMWAA', usagetype: /Airflow-StandardDatabaseStorage$/ },
  },
  'vpc.interface-endpoint.hour': {
    description: 'Interface VPC endpoint, per AZ', unit: 'Hrs', page: PAGES.privatelink,
    priceList: { serviceCode: 'AmazonVPC', attributes: { productFamily: 'VpcEndpoint' }, usagetype: /VpcEndpoint-Hours$/ },
  },
  'vpc.nat-gateway.hour': {
    description: 'NAT gateway', unit: 'Hrs', page: PAGES.vpc,
    priceList: { serviceCode: 'AmazonEC2', attributes: { productFamily: 'NAT Gateway' }, usagetype: /NatGateway-Hours$/ },
  },
  'vpc.nat-gateway.gb': {
    description: 'NAT gateway data processed', unit: 'GB', page: PAGES.vpc,
    priceList: { serviceCode: 'AmazonEC2', attributes: { productFamily: 'NAT Gateway' }, usagetype: /NatGateway-Bytes$/ },
  },
  'vpc.public-ipv4.hour': {
    description: 'Public IPv4 address in use', unit: 'Hrs', page: PAGES.vpc,
    priceList: { serviceCode: 'AmazonVPC', usagetype: /PublicIPv4:InUseAddress$/ },
  },
  'kms.key.month': {
    description: 'KMS customer managed key', unit: 'Keys', page: PAGES.kms,
    priceList: { serviceCode: 'awskms', usagetype: /KMS-Keys$/ },
  },
  'kms.request': {
    description: 'KMS symmetric key request', unit: 'Requests', page: PAGES.kms,
    priceList: { serviceCode: 'awskms', usagetype: /KMS-Requests$/ },
  },
  'secretsmanager.secret.month': {
    description: 'Secrets Manager secret', unit: 'Secrets', page: PAGES.secrets,
    priceList: { serviceCode: 'AWSSecretsManager', usagetype: /AWSSecretsManager-Secrets$/ },
  },
  'secretsmanager.request': {
    description: 'Secrets Manager API call', unit: 'API Requests', page: PAGES.secrets,
    priceList: { serviceCode: 'AWSSecretsManager', usagetype: /AWSSecretsManager-APIRequest$/ },
  },
  'redshift-serverless.rpu-hour': {
    description: 'Redshift Serverless compute', unit: 'RPU-Hr', page: PAGES.redshift,
    priceList: { serviceCode: 'AmazonRedshift', usagetype: /Serverless:RPU-Hours?$|ServerlessUsage$/ },
  },
  'redshift.managed-storage.gb-month': {
    description: 'Redshift managed storage', unit: 'GB-Mo', page: PAGES.redshift,
    priceList: { serviceCode: 'AmazonRedshift', usagetype: /RMS:(ra3|Serverless)/i },
  },
  'glue.etl.dpu-hour': {
    description: 'Glue ETL job (standard execution)', unit: 'DPU-Hour', page: PAGES.glue,
    priceList: { serviceCode: 'AWSGlue', usagetype: /-ETL-DPU-Hour$/ },
  },
  'glue.etl-flex.dpu-hour': {
    description: 'Glue ETL job (flex execution)', unit: 'DPU-Hour', page: PAGES.glue,
    priceList: { serviceCode: 'AWSGlue', usagetype: /-ETL-Flex-DPU-Hour$/ },
  },
  'glue.crawler.dpu-hour': {
    description: 'Glue crawler', unit: 'DPU-Hour', page: PAGES.glue,
    priceList: { serviceCode: 'AWSGlue', usagetype: /-Crawler-DPU-Hour$/ },
  },
  'logs.ingest.gb': {
    description: 'CloudWatch Logs ingestion (standard class)', unit: 'GB', page: PAGES.cloudwatch,
    priceList: { serviceCode: 'AmazonCloudWatch', attributes: { productFamily: 'Data Payload' }, usagetype: /-DataProcessing-Bytes$/ },
  },
  'logs.vended-ingest.gb': {
    description: 'CloudWatch Logs ingestion of vended logs (VPC flow logs), first tier', unit: 'GB', page: PAGES.cloudwatch,
    priceList: { serviceCode: 'AmazonCloudWatch', usagetype: /-VendedLog-Bytes$/ },
  },
  'logs.storage.gb-month': {
    description: 'CloudWatch Logs storage', unit: 'GB-Mo', page: PAGES.cloudwatch,
    priceList: { serviceCode: 'AmazonCloudWatch', attributes: { productFamily: 'Storage Snapshot' }, usagetype: /-TimedStorage-ByteHrs$/ },
  },
  's3.standard.gb-month': {
    description: 'S3 Standard storage, first 50 TB', unit: 'GB-Mo', page: PAGES.s3,
    priceList: { serviceCode: 'AmazonS3', attributes: { volumeType: 'Standard' }, usagetype: /-TimedStorage-ByteHrs$|^TimedStorage-ByteHrs$/ },
  },
  's3.request.put': {
    description: 'S3 PUT, COPY, POST, LIST request', unit: 'Requests', page: PAGES.s3,
    priceList: { serviceCode: 'AmazonS3', usagetype: /-Requests-Tier1$|^Requests-Tier1$/ },
  },
  's3.request.get': {
    description: 'S3 GET and other request', unit: 'Requests', page: PAGES.s3,
    priceList: { serviceCode: 'AmazonS3', usagetype: /-Requests-Tier2$|^Requests-Tier2$/ },
  },
  'lambda.request': {
    description: 'Lambda request', unit: 'Requests', page: PAGES.lambda,
    priceList: { serviceCode: 'AWSLambda', usagetype: /-Request$|^Request$/ },
  },
  'lambda.arm64.gb-second': {
    description: 'Lambda duration, arm64', unit: 'Lambda-GB-Second', page: PAGES.lambda,
    priceList: { serviceCode: 'AWSLambda', usagetype: /Lambda-GB-Second-ARM$/ },
  },
  'lambda.x86_64.gb-second': {
    description: 'Lambda duration, x86_64', unit: 'Lambda-GB-Second', page: PAGES.lambda,
    priceList: { serviceCode: 'AWSLambda', usagetype: /-Lambda-GB-Second$|^Lambda-GB-Second$/ },
  },
  'sqs.request': {
    description: 'SQS standard queue request (after the free tier)', unit: 'Requests', page: PAGES.sqs,
    priceList: { serviceCode: 'AWSQueueService', usagetype: /-Requests-RBP$|^Requests-RBP$/ },
  },
  'sns.publish': {
    description: 'SNS publish', unit: 'Requests', page: PAGES.sns,
    priceList: { serviceCode: 'AmazonSNS', usagetype: /-Requests-Tier1$|^Requests-Tier1$/ },
  },
  'sns.email': {
    description: 'SNS e-mail delivery', unit: 'Notifications', page: PAGES.sns,
    priceList: { serviceCode: 'AmazonSNS', usagetype: /DeliveryAttempts-SMTP$/ },
  },
  'events.custom-event': {
    description: 'EventBridge event put to another account\'s bus', unit: 'Events', page: PAGES.eventbridge,
    priceList: { serviceCode: 'AWSEvents', usagetype: /-Event-64K-Chunks$|^Event-64K-Chunks$/ },
  },
  'dynamodb.on-demand.write': {
    description: 'DynamoDB on-demand write request unit', unit: 'WriteRequestUnits', page: PAGES.dynamodb,
    priceList: { serviceCode: 'AmazonDynamoDB', usagetype: /-WriteRequestUnits$|^WriteRequestUnits$/ },
  },
};

export type PriceKey = keyof typeof PRICE_CATALOG & string;
