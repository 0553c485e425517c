import { Construct } from 'constructs';
import { GlueCatalogDatabase } from '@cdktf/provider-aws/lib/glue-catalog-database';
import { GlueCrawler } from '@cdktf/provider-aws/lib/glue-crawler';
import type { Grantee } from '../iam/grantee';
import { GLUE_CATALOG_ACTIONS, GLUE_CRAWLER_RUN_ACTIONS } from './glue-actions';
import type { FeedCrawlerProps } from './crawler-props';

/**
 * The catalog side of the feed: a Data Catalog database and a crawler over account A's feed prefix
 * that looks at new folders only (files starting with "_" or "." are not data). The role it runs as
 * is granted the database; `grantRun` lets an orchestrator start and watch the crawler.
 *
 * @example
 * const crawler = new FeedCrawler(this, 'Crawler', { names, role, securityConfiguration });
 * crawler.grantRun(mwaaRole);
 */
export class FeedCrawler extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly crawler: GlueCrawler;

  constructor(scope: Construct, id: string, props: FeedCrawlerProps) {
    super(scope, id);
    const { names } = props;
    const arn = (resource: string) => `arn:${names.partition}:glue:${names.env.region}:${names.accountId('analytics')}:${resource}`;
    this.database = new GlueCatalogDatabase(this, 'Database', {
      name: names.glueDatabase,
      description: `xetl ${names.env.name}: tables the crawler finds in the products feed`,
    });
    props.role.addToPrincipalPolicy({
      Sid: 'CatalogDatabase',
      Effect: 'Allow',
      Action: [...GLUE_CATALOG_ACTIONS],
      Resource: [arn('catalog'), arn(`database/${names.glueDatabase}`), arn(`table/${names.glueDatabase}/*`)],
    });
    this.crawler = new GlueCrawler(this, 'Crawler', {
      name: names.glueCrawler,
      description: 'Catalogs new partition folders of the products feed in account A',
      role: props.role.roleArn,
      databaseName: this.database.name,
      securityConfiguration: props.securityConfiguration.name,
      s3Target: [{ path: `s3://${names.sourceBucket}/${names.productsPrefix}/`, exclusions: ['**/_*', '**/.*'] }],
      recrawlPolicy: { recrawlBehavior: 'CRAWL_NEW_FOLDERS_ONLY' },
      // New-folders-only mode requires both behaviours to be LOG.
      schemaChangePolicy: { updateBehavior: 'LOG', deleteBehavior: 'LOG' },
      dependsOn: props.securityConfiguration.logGroups.groups,
    });
  }

  /** Lets a role of this stack start and watch the crawler, exactly as `GlueCrawlerOperator` does. */
  grantRun(grantee: Grantee): void {
    if (!grantee.addToPrincipalPolicy) throw new Error('grantRun needs a role of this stack');
    grantee.addToPrincipalPolicy({ Sid: 'RunCrawler', Effect: 'Allow', Action: [...GLUE_CRAWLER_RUN_ACTIONS], Resource: this.crawler.arn });
  }
}
