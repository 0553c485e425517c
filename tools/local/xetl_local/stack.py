"""Servers and infrastructure of a local run: moto, PostgreSQL, account A (Terraform), account B stand-ins.

Runs in the airflow venv (Python 3.12: boto3, psycopg2, Airflow). Every endpoint is on 127.0.0.1;
AWS credentials are dummies and the process's proxy settings send anything else to a closed port.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xetl_harness.postgres import TRUST_AUTH_PLACEHOLDER, PostgresNotAvailableError, find_binaries
from xetl_tasks import RUNTIME_ENV_VAR
from xetl_tasks.contract import POOL, POOL_INCLUDE_DEFERRED, POOL_SLOTS

from xetl_local.env import DSN_ENV, GLUE_PYTHON_ENV, LOCAL_RUNTIME, TOOLS_PYTHON_ENV, WORK_ENV

REPO_ROOT = Path(__file__).resolve().parents[3]
VENVS = REPO_ROOT / ".venvs"
TOOLS_PYTHON = VENVS / "tools" / "bin" / "python"
GLUE_PYTHON = VENVS / "glue" / "bin" / "python"
AIRFLOW_BIN = VENVS / "airflow" / "bin"
# The dbt project as MWAA gets it, with its manifest (python -m xetl_dbt.package; tools/local/run.sh).
DBT_PROJECT = REPO_ROOT / "dist" / "dbt" / "project"

# Dummy credentials and a proxy into a closed port: a request that escapes an endpoint override
# fails instead of reaching AWS (the same fence as libs/testing's LOOPBACK_ONLY_ENV).
LOOPBACK_ENV = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_SESSION_TOKEN": "test",
    "AWS_EC2_METADATA_DISABLED": "true",
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "NO_PROXY": "127.0.0.1,localhost,::1",
    "no_proxy": "127.0.0.1,localhost,::1",
}
WAREHOUSE_DB = "dev"
# Durations of the last run's steps, so the next run can say how long a slow step takes.
TIMINGS_FILE = "timings.json"
# moto answers a GET of an object uploaded in parts with the parts' composite CRC as if it were the
# whole object's, and botocore's default response validation then fails large (multipart) reads.
# Validate checksums only where the API requires them (the pre-2025 botocore behaviour).
CHECKSUM_CONFIG = {"response_checksum_validation": "when_required", "request_checksum_calculation": "when_required"}


class LocalRunError(RuntimeError):
    """The local run cannot go on; the message says why in a line (plus a log tail where one helps)."""


class PrerequisiteError(LocalRunError):
    """Something the local run needs is missing; the message says what and how to get it."""


def _log_tail(path: Path, lines: int = 15) -> str:
    try:
        text = path.read_text(errors="replace").strip()
    except OSError:
        return f"(no log at {path})"
    return "\n".join("    " + line for line in text.splitlines()[-lines:]) or "    (the log is empty)"


def check_prerequisites() -> list[str]:
    """One clear line per missing tool (empty when all is there)."""
    problems = []
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        problems.append("java: not found - Spark (the Glue job) needs a JDK 17: apt-get install openjdk-17-jdk-headless")
    try:
        find_binaries()
    except PostgresNotAvailableError as err:
        problems.append(f"PostgreSQL server binaries (initdb, postgres, pg_ctl): {err}")
    if shutil.which("terraform") is None:
        problems.append("terraform: not found - install Terraform 1.11 (https://developer.hashicorp.com/terraform/install)")
    for name, python, version in (("tools", TOOLS_PYTHON, "3.11"), ("glue", GLUE_PYTHON, "3.11"), ("airflow", AIRFLOW_BIN / "python", "3.12")):
        if not python.exists():
            problems.append(
                f"Python {version} venv '{name}' missing at {python.parent.parent}: run 'bash scripts/python-env.sh {name}' "
                f"(needs Python {version}, e.g. 'pyenv install {version}')"
            )
    return problems


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Timings:
    """Seconds per step, and what the same step took last time (``history``), so a slow step says
    up front roughly how long it will take. ``announce`` prints a line before a step starts."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    history: dict[str, float] = field(default_factory=dict)
    announce: Any = None

    @contextlib.contextmanager
    def step(self, name: str, doing: str | None = None, typical: float | None = None) -> Iterator[None]:
        """Time the block as ``name``; with ``doing``, first print what happens and how long it took
        last time (or ``typical`` seconds on a first run)."""
        if doing and self.announce:
            took = self.history.get(name, typical)
            self.announce(f"  {doing}" + (f" (about {took:.0f} s last time) ..." if name in self.history
                                          else f" (about {took:.0f} s) ..." if took else " ..."))
        started = time.monotonic()
        try:
            yield
        finally:
            self.steps.append((name, time.monotonic() - started))

    @classmethod
    def remembered(cls, file: Path, announce: Any = None) -> Timings:
        """Timings that know the durations a previous run saved in ``file`` (see ``save``)."""
        history: dict[str, float] = {}
        with contextlib.suppress(OSError, ValueError, TypeError):
            history = {str(k): float(v) for k, v in json.loads(file.read_text()).items()}
        return cls(history=history, announce=announce)

    def save(self, file: Path, *others: Timings) -> None:
        merged = dict(self.history)
        for timings in (self, *others):
            merged.update(timings.steps)
        with contextlib.suppress(OSError):
            file.write_text(json.dumps(merged, indent=1, sort_keys=True))


@dataclass
class LocalStack:
    """What a local run talks to. Use as a context manager: servers stop on exit (also on Ctrl-C)."""

    work: Path
    keep: bool = False
    log: Any = print
    timings: Timings = field(default_factory=Timings)
    names: dict[str, Any] = field(default_factory=dict)
    endpoint: str = ""
    pg_dsn: str = ""  # the superuser's: migrations, and the summary's read-back
    pipeline_dsn: str = ""  # the pipeline's own login: what the DAG's tasks connect as
    variable: dict[str, Any] = field(default_factory=dict)
    deploy_report: dict[str, Any] = field(default_factory=dict)
    # Tests start from an empty warehouse; a person's `npm run local` keeps earlier partitions.
    fresh_warehouse: bool = False
    _stack: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    def __post_init__(self) -> None:
        if not self.timings.history and self.timings.announce is None:
            self.timings = Timings.remembered(self.work / TIMINGS_FILE, announce=self.log)

    # ---- lifecycle ------------------------------------------------------------------------------
    def __enter__(self) -> LocalStack:
        self.work.mkdir(parents=True, exist_ok=True)
        os.environ.update(LOOPBACK_ENV)
        try:
            with self.timings.step("prerequisites"):
                problems = check_prerequisites()
                if problems:
                    raise PrerequisiteError("missing prerequisites:\n  - " + "\n  - ".join(problems))
                self.names = _node_json(["tools/local/names.ts", "local"])
            with self.timings.step("start moto", "starting the AWS emulator (moto)", typical=2):
                self._start_moto()
            # PostgreSQL, the warehouse's migrations and Airflow's metadata database need nothing
            # from the emulator: they are prepared while account A deploys (which is mostly the
            # provider waiting, see docs/local-run.md).
            self.log("  starting PostgreSQL, migrating the warehouse and Airflow's database, beside account A ...")
            with ThreadPoolExecutor(max_workers=1) as pool:
                engines = pool.submit(self._prepare_engines)
                try:
                    self._deploy_account_a()
                finally:
                    failed = engines.exception()  # waits: nothing may still be starting after an error
                if failed is not None:
                    raise failed
            with self.timings.step("account B stand-ins", "creating account B's stand-ins", typical=2):
                self._stand_in_account_b()
        except BaseException:
            self.__exit__(*sys.exc_info())
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.keep and exc[0] is None:
            self.log(f"--keep: moto at {self.endpoint} and PostgreSQL at {self.pg_dsn} keep running; "
                     f"stop them with: kill {' '.join(self._pids())}")
            self._stack.pop_all()
            return
        self._stack.close()

    def _prepare_engines(self) -> None:
        # Announced by the caller: a line printed from this thread could land inside the deploy's.
        with self.timings.step("PostgreSQL + Airflow DB (beside deploy)"):
            self._start_postgres()
            self._migrate()
            self.ensure_airflow_db()

    def _pids(self) -> list[str]:
        return [(self.work / f"{name}.pid").read_text().strip() for name in ("moto", "postgres")]

    def _start_moto(self) -> None:
        port = free_port()
        log = (self.work / "moto.log").open("w")
        self._stack.callback(log.close)
        proc = subprocess.Popen(
            [str(TOOLS_PYTHON), str(REPO_ROOT / "tools" / "local" / "moto_server.py"), "-H", "127.0.0.1", "-p", str(port)],
            env={**os.environ, "MOTO_ACCOUNT_ID": self.names["sourceAccount"],
                 "MOTO_RECORDER_FILEPATH": str(self.work / "moto-recording.jsonl")},
            stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C reaches us, not moto: we stop it in order
        )  # fmt: skip
        (self.work / "moto.pid").write_text(str(proc.pid))
        self._stack.callback(_terminate, proc)
        self.endpoint = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalRunError(f"the AWS emulator (moto_server) exited with {proc.returncode}; "
                                    f"{self.work / 'moto.log'} ends with:\n{_log_tail(self.work / 'moto.log')}")
            with contextlib.suppress(OSError):
                with urllib.request.build_opener(urllib.request.ProxyHandler({})).open(f"{self.endpoint}/moto-api/", timeout=2):
                    return
            time.sleep(0.2)
        raise LocalRunError(f"the AWS emulator (moto_server) did not answer on {self.endpoint} within 60 s; "
                            f"{self.work / 'moto.log'} ends with:\n{_log_tail(self.work / 'moto.log')}")

    def _start_postgres(self) -> None:
        """The harness's server (runuser when root, persistent data dir) as a child in its own session,
        so that --keep can leave it running after this process exits; SIGTERM stops it cleanly."""
        import psycopg2

        port = free_port()
        log = (self.work / "postgres.log").open("w")
        self._stack.callback(log.close)
        proc = subprocess.Popen(
            [sys.executable, "-m", "xetl_harness.postgres", "--data-dir", str(self.work / "postgres"), "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        (self.work / "postgres.pid").write_text(str(proc.pid))
        self._stack.callback(_terminate, proc)
        dsn = f"host=127.0.0.1 port={port} user=postgres"
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                tail = _log_tail(self.work / "postgres.log")
                if proc.returncode == 2:  # the harness's "missing prerequisite" exit
                    raise PrerequisiteError(tail.strip().removeprefix("xetl postgres: "))
                raise LocalRunError(f"PostgreSQL did not start (exit {proc.returncode}); {self.work / 'postgres.log'} ends with:\n{tail}")
            try:
                conn = psycopg2.connect(f"{dsn} dbname=postgres", connect_timeout=2)
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline:
                    raise LocalRunError(f"PostgreSQL did not accept connections within 90 s; {self.work / 'postgres.log'} ends with:\n"
                                        f"{_log_tail(self.work / 'postgres.log')}") from None
                time.sleep(0.3)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", (WAREHOUSE_DB,))
            if cur.fetchone() is None:
                cur.execute(f"CREATE DATABASE {WAREHOUSE_DB}")
        conn.close()
        self.pg_dsn = f"{dsn} dbname={WAREHOUSE_DB}"

    # ---- infrastructure -------------------------------------------------------------------------
    def _deploy_account_a(self) -> None:
        """Synthesize account A's stack; restore the emulator state of its last real apply when the
        stack is unchanged (xetl_local.emulator_state), apply it with Terraform otherwise."""
        from xetl_local.emulator_state import EmulatorState, stack_hash

        with self.timings.step("synth account A", "synthesizing account A's stack (cdktf)", typical=5):
            synthesized = self._run_deploy_local("--synth-only")
        current = stack_hash(Path(synthesized["json"]))
        state = EmulatorState(self.work / "emulator-state", self.endpoint, self.client)
        why = state.why_apply(current)
        if why is None:
            with self.timings.step("restore account A (stack unchanged)"):
                why = state.restore()
            if why is None:
                self.deploy_report = state.restored_report()
                self.log(f"  account A: restored from the deploy of {self.deploy_report['restoredFrom']} (stack unchanged)")
                return
        self.log(f"  account A: deploying with Terraform ({why})")
        tf_state = self.work / "terraform" / "xetl-local-source.tfstate"
        # Every apply starts from an empty emulator: a state file from an earlier server would
        # describe resources that no longer exist.
        shutil.rmtree(tf_state.parent, ignore_errors=True)
        with self.timings.step("deploy account A (terraform apply)",
                               "deploying account A's stack to the emulator with Terraform", typical=70):
            with state.recording():
                report = self._run_deploy_local("--synthesized", "--endpoint", self.endpoint, "--state", str(tf_state))
            state.save(current, report)
        self.deploy_report = {**report, "restoredFrom": None}
        self.log(f"  account A: deployed with Terraform ({report.get('resourcesAdded')} resources added)")

    def _run_deploy_local(self, *args: str) -> dict[str, Any]:
        """tools/local/deploy-local.ts with ``args``; its JSON report."""
        # Its own process group: on Ctrl-C the whole group (node, terraform, the provider) is
        # stopped, not only node, which would leave terraform running against a dead emulator.
        proc = subprocess.Popen(
            ["node", "--import", "tsx", "tools/local/deploy-local.ts", *args, "--out", str(self.work / "cdktf.out")],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        )  # fmt: skip
        try:
            stdout, stderr = proc.communicate()
        except BaseException:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
            raise
        if proc.returncode != 0:
            raise LocalRunError(f"deploying xetl-local-source to the emulator failed:\n{stderr.strip()[-3000:]}")
        return json.loads(stdout.strip().splitlines()[-1])

    def client(self, service: str) -> Any:
        import boto3
        from botocore.config import Config

        return boto3.client(service, endpoint_url=self.endpoint, region_name=self.names["region"], config=Config(**CHECKSUM_CONFIG))

    def _stand_in_account_b(self) -> None:
        """What account B's stack provides and the DAG needs, created directly in the emulator.

        (The analytics stack cannot be applied to moto: MWAA, Redshift Serverless and VPC endpoints
        are not emulated; see docs/local-run.md.)
        """
        n = self.names
        account = n["analyticsAccount"]
        s3 = self.client("s3")
        with contextlib.suppress(s3.exceptions.BucketAlreadyOwnedByYou):
            s3.create_bucket(Bucket=n["stagingBucket"])
        glue = self.client("glue")
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_database(DatabaseInput={"Name": n["glueDatabase"]})
        role = n["glueRoleArn"]
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_crawler(
                Name=n["glueCrawler"], Role=role, DatabaseName=n["glueDatabase"],
                Targets={"S3Targets": [{"Path": f"s3://{n['sourceBucket']}/{n['productsPrefix']}/"}]},
            )  # fmt: skip
        with contextlib.suppress(glue.exceptions.AlreadyExistsException):
            glue.create_job(
                Name=n["glueJob"], Role=role, GlueVersion="5.0",
                Command={"Name": "glueetl", "ScriptLocation": "file://" + str(REPO_ROOT / "glue-scripts/xetl_products_job.py")},
            )  # fmt: skip
        topic_arn, self.notice_queue_url = self._topic_with_inbox(n["pipelineTopic"], raw=False)
        # The chat channels' topic, always here: the run's summary prints the message a channel would get.
        chat_topic_arn, self.chat_queue_url = self._topic_with_inbox(n["chatTopic"], raw=True)
        key_arn = self.client("kms").describe_key(KeyId=n["dataKeyAlias"])["KeyMetadata"]["Arn"]
        secrets = self.client("secretsmanager")
        # The contract's own builder, as the analytics stack uses it (tools/local/names.ts). No
        # Airflow UI runs here (`airflow dags test`): no link.
        self.variable = _node_json(["tools/local/names.ts", "local", "--variable", json.dumps(
            {"snsTopicArn": topic_arn, "targetKmsKeyArn": key_arn, "redshiftEndpoint": _dsn_field(self.pg_dsn, "host"),
             "chatTopicArn": chat_topic_arn, "airflowUrl": ""})])
        # Where MWAA's secrets backend would read it; the local Airflow reads AIRFLOW_VAR_* instead.
        _put_secret(secrets, n["pipelineVariableSecret"], self.variable)
        self.account_id = account

    def _topic_with_inbox(self, name: str, *, raw: bool) -> tuple[str, str]:
        """(topic ARN, queue URL): a topic and a queue subscribed to it that keeps every message, so a
        person (and the tests) can read them; ``raw``: the queue gets the message itself, no envelope."""
        sns, sqs = self.client("sns"), self.client("sqs")
        topic_arn = sns.create_topic(Name=name)["TopicArn"]
        queue_url = sqs.create_queue(QueueName=f"{name}-inbox")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn,
                      Attributes={"RawMessageDelivery": "true" if raw else "false"})  # fmt: skip
        return topic_arn, queue_url

    def _migrate(self) -> None:
        """The migrations, as `xetl bootstrap` applies them with the admin secret on Redshift (here as
        the superuser), then the pipeline's own login: on Redshift, MWAA's role logs in as
        IAMR:<role name> and gets the xetl_pipeline database role from its RedshiftDbRoles tag; here
        a login of the same name is a member of that role. The DAG's tasks connect as it
        (`pipeline_dsn`), so a grant the pipeline lacks fails locally as it would on AWS."""
        if self.fresh_warehouse:
            import psycopg2

            with psycopg2.connect(self.pg_dsn) as conn, conn.cursor() as cur:
                cur.execute("DROP SCHEMA IF EXISTS xetl, xetl_stg, xetl_marts CASCADE")
        proc = subprocess.run([str(TOOLS_PYTHON), "-m", "xetl_sql_tools.warehouse", "--migrate", self.pg_dsn],
                              capture_output=True, text=True, check=False)  # fmt: skip
        if proc.returncode != 0:
            raise LocalRunError(f"the warehouse migrations failed on PostgreSQL:\n{proc.stderr.strip()[-3000:]}")
        login = f"IAMR:{self.names['mwaaRoleName']}"
        import psycopg2

        with psycopg2.connect(self.pg_dsn) as conn, conn.cursor() as cur:
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,))
            if cur.fetchone() is None:
                cur.execute(f'CREATE ROLE "{login}" LOGIN IN ROLE xetl_pipeline')
        self.pipeline_dsn = self.pg_dsn.replace("user=postgres", f"user={login}")

    # ---- what the DAG's processes need ----------------------------------------------------------
    def airflow_env(self) -> dict[str, str]:
        home = self.work / "airflow"
        return {
            **os.environ,
            **LOOPBACK_ENV,
            RUNTIME_ENV_VAR: LOCAL_RUNTIME,
            # The run's log is a file: no colour codes in it.
            "NO_COLOR": "1",
            WORK_ENV: str(self.work),
            DSN_ENV: self.pipeline_dsn,
            TOOLS_PYTHON_ENV: str(TOOLS_PYTHON),
            GLUE_PYTHON_ENV: str(GLUE_PYTHON),
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(REPO_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": str(home / "logs"),
            "AIRFLOW_VAR_XETL_PIPELINE": json.dumps(self.variable),
            # The dbt stage: the packaged project (tools/local/run.sh keeps it current), dbt's own
            # venv, and the warehouse connection Cosmos builds the profile from: the pipeline's
            # own login, as on Redshift (the trust-auth server ignores the password Cosmos requires).
            "XETL_DBT_WAREHOUSE": "postgres",
            "XETL_DBT_PROJECT_DIR": str(DBT_PROJECT),
            "XETL_DBT_EXECUTABLE": str(VENVS / "dbt" / "bin" / "dbt"),
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "AIRFLOW_CONN_XETL_WAREHOUSE": json.dumps(self._warehouse_connection()),
            "AIRFLOW_CONN_AWS_DEFAULT": json.dumps(
                {"conn_type": "aws", "extra": {"endpoint_url": self.endpoint, "region_name": self.names["region"],
                                                "config_kwargs": CHECKSUM_CONFIG}}
            ),
            "AWS_DEFAULT_REGION": self.names["region"],
            "PATH": f"{AIRFLOW_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def _warehouse_connection(self) -> dict[str, Any]:
        if not self.pipeline_dsn:
            return {}
        dsn = dict(part.split("=", 1) for part in self.pipeline_dsn.split())
        return {"conn_type": "postgres", "host": dsn["host"], "port": int(dsn["port"]), "login": dsn["user"],
                "password": TRUST_AUTH_PLACEHOLDER, "schema": dsn["dbname"]}  # fmt: skip

    def ensure_airflow_db(self) -> None:
        """The local Airflow's metadata database, migrated, with the pipeline's pool (once)."""
        home = self.work / "airflow"
        home.mkdir(parents=True, exist_ok=True)
        stamp = home / ".migrated"
        if stamp.exists() and (home / "airflow.db").exists():
            return
        pool = ["pools", "set", POOL, str(POOL_SLOTS), "xetl: one pipeline task at a time"]
        for command in (["db", "migrate"], pool + (["--include-deferred"] if POOL_INCLUDE_DEFERRED else [])):
            proc = subprocess.run([str(AIRFLOW_BIN / "airflow"), *command], env=self.airflow_env(),
                                  capture_output=True, text=True, check=False)  # fmt: skip
            if proc.returncode != 0:
                raise LocalRunError(f"airflow {' '.join(command[:2])} failed:\n{proc.stderr[-3000:]}")
        stamp.write_text("ok\n")


def _dsn_field(dsn: str, name: str) -> str:
    return dict(part.split("=", 1) for part in dsn.split())[name]


def _node_json(script_and_args: list[str]) -> Any:
    """Run a TypeScript script of the repository (the config, the naming module) and parse its JSON."""
    proc = subprocess.run(["node", "--import", "tsx", *script_and_args], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise LocalRunError(f"node {script_and_args[0]} failed: {proc.stderr.strip()[-2000:]}")
    return json.loads(proc.stdout)


def _put_secret(client: Any, name: str, value: dict[str, Any]) -> str:
    text = json.dumps(value)
    try:
        return client.create_secret(Name=name, SecretString=text)["ARN"]
    except client.exceptions.ResourceExistsException:
        client.put_secret_value(SecretId=name, SecretString=text)
        return client.describe_secret(SecretId=name)["ARN"]


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
