import * as path from 'node:path';
import { PIPELINE_DAG_ID } from '@xetl/config';
import { type AssetFile, listAssetFiles, requireFile } from './asset-files';

/** One rule of an upload allow-list: files under `from` (relative to the repo root) matching `include`. */
export interface UploadRule {
  /** Folder, relative to the repository root. */
  readonly from: string;
  /** Key prefix under the upload's prefix that the file's path (relative to `from`) follows. */
  readonly to: string;
  /** Paths relative to `from` to upload. */
  readonly include: RegExp;
  /** Why these files ship. */
  readonly why: string;
}

/**
 * Everything MWAA receives under `dags/`, and nothing else: an allow-list, so a new test, local
 * stand-in or benchmark never reaches the environment by accident.
 */
export const AIRFLOW_DAG_BUNDLE: readonly UploadRule[] = [
  { from: 'dags', to: '', include: new RegExp(`^(${[PIPELINE_DAG_ID].join('|')})\\.py$`), why: 'the DAG files: <dag_id>.py for each DAG id of the pipeline contract' },
  { from: 'dags', to: '', include: /^(requirements\.txt|constraints-[\d.]+-[\d.]+\.txt|\.airflowignore)$/, why: 'what MWAA installs (with its constraints) and what its DAG processor skips' },
  { from: 'dags/xetl_tasks', to: 'xetl_tasks/', include: /\.(py|json)$/, why: 'the task factory and the pipeline contract it reads' },
  { from: 'sql/xetl_sql', to: 'xetl_sql/', include: /\.(py|sql)$/, why: 'the SQL package the DAG renders its statements with' },
];

/** Never shipped, even from an allowed folder: tests and local stand-ins for AWS. */
export const NEVER_UPLOADED = [/(^|\/)tests\//, /(^|\/)__pycache__\//, /(^|\/)conftest\.py$/, /(^|\/)local(_[^/]*)?\.py$/] as const;

/** Files of one allow-list under `keyPrefix`, sorted by key. */
export function allowListedFiles(repoRoot: string, rules: readonly UploadRule[], keyPrefix: string): AssetFile[] {
  const files = rules.flatMap((rule) => listAssetFiles({
    dir: requireFile(path.join(repoRoot, rule.from), `a folder the upload allow-list names (${rule.why})`),
    keyPrefix: `${keyPrefix}${rule.to}`,
    include: rule.include,
    exclude: NEVER_UPLOADED,
  }));
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** What goes to MWAA's bucket: `AIRFLOW_DAG_BUNDLE` under `<dagsPrefix>/`, with each DAG file and requirements.txt required. */
export function airflowDagFiles(repoRoot: string, dagsPrefix: string): AssetFile[] {
  requireFile(path.join(repoRoot, 'dags', 'requirements.txt'), 'MWAA needs dags/requirements.txt (with its --constraint line)');
  requireFile(path.join(repoRoot, 'dags', `${PIPELINE_DAG_ID}.py`), `the DAG file of ${PIPELINE_DAG_ID} (pipeline contract)`);
  return allowListedFiles(repoRoot, AIRFLOW_DAG_BUNDLE, `${dagsPrefix}/`);
}

/** Warehouse migrations for the assets bucket (`xetl bootstrap` applies the same files from the checkout). */
export const SQL_MIGRATIONS: readonly UploadRule[] = [
  { from: 'sql/migrations', to: 'migrations/', include: /\.sql$/, why: 'the ordered, re-runnable warehouse migrations' },
];

/** The packaged dbt project beside the DAGs (`dags/dbt/`, where the DAG's Cosmos group reads it). */
export const DBT_PROJECT_BUNDLE: readonly UploadRule[] = [
  {
    from: 'dist/dbt/project', to: 'dbt/',
    include: /^(dbt_project\.yml|profiles\.yml|(models|macros|data-tests)\/.+\.(sql|yml)|target\/manifest\.json)$/,
    why: 'the dbt project and its pre-built manifest (npx nx run dbt:package)',
  },
];

const DBT_PACKAGE_HINT = 'build it with `npx nx run dbt:package` (the dbt project with its manifest, and the wheels MWAA installs offline)';

/**
 * What MWAA needs for the dbt stage beyond the DAG bundle: the packaged project under the DAGs
 * prefix, and `plugins.zip` (Cosmos and dbt wheels) and the startup script at their own keys.
 */
export function dbtStageFiles(repoRoot: string, dagsPrefix: string, keys: { plugins: string; startupScript: string }): AssetFile[] {
  requireFile(path.join(repoRoot, 'dist', 'dbt', 'project', 'target', 'manifest.json'), DBT_PACKAGE_HINT);
  return [
    ...allowListedFiles(repoRoot, DBT_PROJECT_BUNDLE, `${dagsPrefix}/`),
    { path: requireFile(path.join(repoRoot, 'dist', 'mwaa', 'plugins.zip'), DBT_PACKAGE_HINT), key: keys.plugins },
    { path: requireFile(path.join(repoRoot, 'dist', 'mwaa', 'startup.sh'), DBT_PACKAGE_HINT), key: keys.startupScript },
  ];
}
