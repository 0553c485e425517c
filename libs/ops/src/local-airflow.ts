import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AirflowApi, RestApiRequest, RestApiResponse } from './clients';
import { EXIT, XetlError } from './errors';

/** The repository root (libs/ops/src -> ../../..), where the local run keeps its state. */
const REPO_ROOT = path.resolve(__dirname, '../../..');
const HELPER = path.join(__dirname, '..', 'python', 'local_airflow.py');

/**
 * Where `npm run local` keeps its Airflow (tools/local/xetl_local/stack.py): AIRFLOW_HOME is
 * `<work>/airflow` with a SQLite metadata DB `airflow.db` and task logs under `logs/`; `<work>`
 * is `.work/local` unless XETL_LOCAL_WORK says otherwise (the local run sets it for its tasks too).
 */
export interface LocalAirflowPaths {
  readonly python: string;
  readonly home: string;
  readonly db: string;
  readonly logs: string;
  /** The console log of each `airflow dags test` run: `dag-<partition>-<logical date without ":">.log`. */
  readonly runLogs: string;
}

export function localAirflowPaths(env: NodeJS.ProcessEnv = process.env): LocalAirflowPaths {
  const work = env.XETL_LOCAL_WORK || path.join(REPO_ROOT, '.work', 'local');
  const home = path.join(work, 'airflow');
  return {
    python: path.join(REPO_ROOT, '.venvs', 'airflow', 'bin', 'python'),
    home,
    db: path.join(home, 'airflow.db'),
    logs: path.join(home, 'logs'),
    runLogs: path.join(work, 'logs'),
  };
}

/** The console log `npm run local` keeps of a run it started with `airflow dags test`. */
export function localRunLogFile(paths: LocalAirflowPaths, partition: string, logicalDate: string): string {
  return path.join(paths.runLogs, `dag-${partition}-${logicalDate.replace(/:/g, '')}.log`);
}

/**
 * The Airflow of `npm run local` behind the same seam as MWAA's InvokeRestApi: it answers
 * `GET /dags/<dag_id>/dagRuns` from the local metadata DB through Airflow's own models (the repo's
 * Airflow 3.0.6 venv), shaped like Airflow's REST API. It starts no runs: the local run executes
 * the DAG with `airflow dags test`, so there is no scheduler to hand a new run to.
 */
export class LocalAirflowApi implements AirflowApi {
  constructor(readonly paths: LocalAirflowPaths = localAirflowPaths()) {}

  async invoke(request: RestApiRequest): Promise<RestApiResponse> {
    const m = /^\/dags\/([^/]+)\/dagRuns$/.exec(request.path);
    if (request.method !== 'GET' || !m) {
      throw new XetlError(
        `the local environment runs the DAG with npm run local (airflow dags test, no scheduler); ${request.method} ${request.path} needs MWAA: use an AWS environment`,
        EXIT.usage,
      );
    }
    if (!fs.existsSync(this.paths.python)) {
      throw new XetlError(`the repo's Airflow venv is missing (${this.paths.python}); run npm run local once, or bash scripts/python-env.sh airflow`, EXIT.usage);
    }
    if (!fs.existsSync(this.paths.db)) {
      return { status: 200, body: { dag_runs: [], total_entries: 0 } };
    }
    const q = request.query ?? {};
    const args = { dag_id: decodeURIComponent(m[1]), limit: q.limit ?? 25, offset: q.offset ?? 0, run_after_gte: q.run_after_gte ?? null };
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(this.paths.python, [HELPER, 'dag-runs', JSON.stringify(args)], {
        env: {
          ...process.env,
          AIRFLOW_HOME: this.paths.home,
          AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${this.paths.db}`,
          AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
          AIRFLOW__LOGGING__BASE_LOG_FOLDER: this.paths.logs,
          NO_COLOR: '1',
        },
        timeout: 120_000,
        maxBuffer: 64 * 1024 * 1024,
      }, (err, out, errText) => {
        if (err) reject(new XetlError(`the local Airflow could not list runs (${this.paths.db}): ${(errText || err.message).trim().split('\n').at(-1)}`, EXIT.unexpected));
        else resolve(out);
      });
    });
    return { status: 200, body: JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') };
  }
}
