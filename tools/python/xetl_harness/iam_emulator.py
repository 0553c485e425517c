"""The synthesized stacks' roles, resources and policies in an IAM-enforcing emulator, for tests.

    with IamEmulator.start(tools_python) as emulator:
        resolver = emulator.deploy(StackIam.load(".../xetl-dev-source/cdk.tf.json"), account="111111111111")
        resolver = emulator.deploy(StackIam.load(".../xetl-dev-analytics/cdk.tf.json"), account="222222222222")
        mwaa = emulator.assume("arn:aws:iam::222222222222:role/xetl-dev-mwaa")   # credentials
        emulator.enforce()              # from here on every request is authorised
        ... run the code with mwaa's credentials against emulator.endpoint ...
        emulator.denials()              # what was refused: principal, action, resource, why

``deploy`` creates, as an unrestricted caller and before enforcement starts, what the stack's
policies refer to (roles, keys, buckets, queues, topics, Glue catalog/crawler/job, secrets, event
buses) under the names the stack gives them, records each resource's attributes for the
``Resolver``, and then puts every policy in place exactly as synthesized (resolved): role trust
and inline/attached policies, bucket, topic, queue, key and bus policies. Resources moto cannot
create (Redshift Serverless, MWAA, log groups) get the ARN AWS would give them, so policies that
name them resolve. A reference to anything else fails the deploy naming it.

Requires boto3 (every project venv has it); the server runs from the tools venv (moto[server]).
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from xetl_harness.iam import Resolver, StackIam, reference_resolver
from xetl_harness.iam_server import SETUP_USER
from xetl_harness.loopback import exempt_loopback_from_proxies

HARNESS_ROOT = Path(__file__).resolve().parent.parent  # tools/python


@dataclass(frozen=True)
class Credentials:
    access_key_id: str
    secret_access_key: str
    session_token: str
    arn: str

    def env(self) -> dict[str, str]:
        return {
            "AWS_ACCESS_KEY_ID": self.access_key_id,
            "AWS_SECRET_ACCESS_KEY": self.secret_access_key,
            "AWS_SESSION_TOKEN": self.session_token,
        }


@dataclass(frozen=True)
class Decision:
    principal: str
    role: str | None
    operation: str
    kind: str
    action: str
    resource: str
    allowed: bool
    reason: str

    @property
    def role_name(self) -> str:
        return (self.role or self.principal).rsplit("/", 1)[-1]

    def line(self) -> str:
        via = f" (done by AWS for {self.operation})" if self.kind == "implied" else f" ({self.operation})"
        return f"{self.role_name}: {self.action} on {self.resource}{via} - {self.reason}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class IamEmulator:
    def __init__(self, process: subprocess.Popen[bytes], endpoint: str, workdir: Path, region: str):
        self.process = process
        self.endpoint = endpoint
        self.workdir = workdir
        self.region = region
        self.config_path = workdir / "config.json"
        self.decisions_path = workdir / "decisions.jsonl"
        self._config: dict[str, Any] = {"mode": "enforce", "decisions": str(self.decisions_path)}
        self._write_config()
        self._offset = 0
        self.admins: dict[str, Credentials] = {}

    # ---- lifecycle -------------------------------------------------------------------------

    @classmethod
    @contextlib.contextmanager
    def start(cls, tools_python: str, region: str = "eu-west-1", timeout: float = 60.0) -> Iterator[IamEmulator]:
        """Runs ``python -m xetl_harness.iam_server`` (tools venv) on a free loopback port."""
        exempt_loopback_from_proxies()  # the code under test builds its own clients
        workdir = Path(tempfile.mkdtemp(prefix="xetl-iam-"))
        port = _free_port()
        (workdir / "config.json").write_text(json.dumps({"mode": "enforce"}))
        env = {
            **os.environ,
            "PYTHONPATH": str(HARNESS_ROOT),
            "MOTO_ALLOW_NONEXISTENT_REGION": "true",
        }
        for var in ("AWS_ENDPOINT_URL", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
            env.pop(var, None)
        log = open(workdir / "server.log", "wb")
        process = subprocess.Popen(
            [tools_python, "-m", "xetl_harness.iam_server", "--port", str(port), "--config", str(workdir / "config.json")],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        emulator = cls(process, f"http://127.0.0.1:{port}", workdir, region)
        try:
            deadline = time.monotonic() + timeout
            while b"iam-server ready" not in (workdir / "server.log").read_bytes():
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"iam_server did not start: {(workdir / 'server.log').read_text()[-2000:]}"
                    )
                time.sleep(0.1)
            yield emulator
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            log.close()
            if os.environ.get("XETL_KEEP_IAM_LOGS") is None:
                import shutil

                shutil.rmtree(workdir, ignore_errors=True)

    def _write_config(self) -> None:
        tmp = self.config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self._config))
        tmp.replace(self.config_path)
        # The server re-reads the file when its mtime changes; make sure it does.
        now = time.time()
        os.utime(self.config_path, (now, now + (time.monotonic_ns() % 1000) / 1e6))

    def configure(self, **values: Any) -> None:
        """Changes the server's config: ``mode`` (enforce|record), ``workgroups`` (name -> ARN),
        ``vpc_roles`` (role names that call through VPC endpoints), ``endpoint_policies``."""
        self._config.update(values)
        self._write_config()

    def _moto_api(self, path: str, body: bytes) -> None:
        import urllib.request

        request = urllib.request.Request(
            f"{self.endpoint}/moto-api/{path}", data=body, method="POST", headers={"Content-Type": "text/plain"}
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=10) as response:
            response.read()

    def enforce(self) -> None:
        """Switches IAM enforcement on: every request from now on is authorised."""
        self._moto_api("reset-auth", b"0")

    def relax(self) -> None:
        self._moto_api("reset-auth", b"inf")

    # ---- clients -----------------------------------------------------------------------------

    def client(self, service: str, account: str | None = None, credentials: Credentials | None = None) -> Any:
        """A boto3 client for the emulator: with ``credentials``, or as the unrestricted setup
        user of ``account`` (whose calls the server neither restricts nor records)."""
        import boto3
        from botocore.config import Config

        if credentials is None:
            if account is None:
                raise ValueError("name the account (or pass credentials)")
            credentials = self._admin(account)
        client = boto3.session.Session().client(
            service,
            region_name=self.region,
            endpoint_url=self.endpoint,
            config=Config(retries={"max_attempts": 1}, proxies={}),
            aws_access_key_id=credentials.access_key_id,
            aws_secret_access_key=credentials.secret_access_key,
            aws_session_token=credentials.session_token or None,
        )
        return client

    def _admin(self, account: str) -> Credentials:
        """The setup user of ``account``, created on first use (before enforcement starts)."""
        if account not in self.admins:
            import boto3

            iam = boto3.session.Session().client(
                "iam", region_name=self.region, endpoint_url=self.endpoint,
                aws_access_key_id="XETL-EMULATOR-SETUP", aws_secret_access_key="bootstrap",
            )
            iam.meta.events.register(
                "before-sign.*.*", lambda request, **_: request.headers.__setitem__("x-moto-account-id", account)
            )
            iam.create_user(UserName=SETUP_USER)
            key = iam.create_access_key(UserName=SETUP_USER)["AccessKey"]
            self.admins[account] = Credentials(
                key["AccessKeyId"], key["SecretAccessKey"], "", f"arn:aws:iam::{account}:user/{SETUP_USER}"
            )
        return self.admins[account]

    def assume(self, role_arn: str, session: str = "xetl-iam-test") -> Credentials:
        """Credentials of a role session, as AWS gives them to the service that runs as the role.
        Call before ``enforce``: moto cannot evaluate service-principal trust policies."""
        sts = self.client("sts", account=role_arn.split(":")[4])
        out = sts.assume_role(RoleArn=role_arn, RoleSessionName=session)
        c = out["Credentials"]
        return Credentials(c["AccessKeyId"], c["SecretAccessKey"], c["SessionToken"], out["AssumedRoleUser"]["Arn"])

    # ---- decisions ---------------------------------------------------------------------------

    def decisions(self, since_mark: bool = True) -> list[Decision]:
        if not self.decisions_path.exists():
            return []
        with open(self.decisions_path) as f:
            if since_mark:
                f.seek(self._offset)
            lines = f.read().splitlines()
        keys = Decision.__dataclass_fields__
        return [Decision(**{k: v for k, v in json.loads(line).items() if k in keys}) for line in lines if line]

    def mark(self) -> None:
        """Starts a new window: ``decisions()``/``denials()`` return only what happens after this."""
        self._offset = self.decisions_path.stat().st_size if self.decisions_path.exists() else 0

    def denials(self) -> list[Decision]:
        return [d for d in self.decisions() if not d.allowed]

    # ---- deploying a stack's IAM -------------------------------------------------------------

    def deploy(self, stack: StackIam, synth_path: Path, account: str, resolver: Resolver | None = None) -> Resolver:
        """Creates what the stack's policies refer to in ``account`` and puts every policy in place."""
        resolver = resolver or Resolver()
        synth = json.loads(Path(synth_path).read_text())
        resources: dict[str, dict[str, Any]] = synth.get("resource", {})
        region = self.region
        c = lambda service: self.client(service, account=account)  # noqa: E731

        def each(rtype: str) -> Iterator[tuple[str, dict[str, Any]]]:
            for key, body in resources.get(rtype, {}).items():
                yield f"{rtype}.{key}", body

        def put(address: str, **attrs: str) -> None:
            for attr, value in attrs.items():
                resolver.set(f"{address}.{attr}", value)

        # Names and ARNs first (policies of one resource name others); the ids AWS generates are
        # replaced below by those of what the emulator creates.
        reference_resolver(synth, resolver)

        kms = c("kms")
        for address, body in each("aws_kms_key"):
            key = kms.create_key(Description=body.get("description", address))["KeyMetadata"]
            put(address, arn=key["Arn"], key_id=key["KeyId"], id=key["KeyId"])
        for address, body in each("aws_kms_alias"):
            kms.create_alias(AliasName=body["name"], TargetKeyId=resolver.resolve(body["target_key_id"], address))
        s3 = c("s3")
        for _, body in each("aws_s3_bucket"):
            s3.create_bucket(Bucket=body["bucket"], CreateBucketConfiguration={"LocationConstraint": region})
        sqs = c("sqs")
        for address, body in each("aws_sqs_queue"):
            url = sqs.create_queue(QueueName=body["name"])["QueueUrl"]
            arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
            put(address, arn=arn, url=url, id=url, name=body["name"])
        sns = c("sns")
        for address, body in each("aws_sns_topic"):
            arn = sns.create_topic(Name=body["name"])["TopicArn"]
            put(address, arn=arn, id=arn, name=body["name"])
        events = c("events")
        for address, body in each("aws_cloudwatch_event_bus"):
            arn = events.create_event_bus(Name=body["name"])["EventBusArn"]
            put(address, arn=arn, name=body["name"], id=body["name"])
        secrets = c("secretsmanager")
        for address, body in each("aws_secretsmanager_secret"):
            arn = secrets.create_secret(Name=body["name"], SecretString="{}")["ARN"]
            put(address, arn=arn, id=arn, name=body["name"])
        for address, _body in each("aws_redshiftserverless_workgroup"):
            arn = f"arn:aws:redshift-serverless:{region}:{account}:workgroup/{uuid.uuid4()}"
            put(address, arn=arn)
        for address, body in each("aws_redshiftserverless_namespace"):
            # Redshift creates the managed admin secret itself; it is a secret of this account.
            arn = secrets.create_secret(Name=f"redshift!{body['namespace_name']}-admin", SecretString="{}")["ARN"]
            put(address, admin_password_secret_arn=arn)

        iam = c("iam")
        for address, body in each("aws_iam_role"):
            trust = resolver.resolve(body["assume_role_policy"], f"{address} trust policy")
            iam.create_role(RoleName=body["name"], AssumeRolePolicyDocument=trust)
            put(address, unique_id=iam.get_role(RoleName=body["name"])["Role"]["RoleId"])
        glue = c("glue")
        for _, body in each("aws_glue_catalog_database"):
            glue.create_database(DatabaseInput={"Name": body["name"]})
        for address, body in each("aws_glue_crawler"):
            glue.create_crawler(
                Name=body["name"],
                Role=resolver.resolve(body["role"], address),
                DatabaseName=resolver.resolve(body["database_name"], address),
                Targets={"S3Targets": [{"Path": t["path"]} for t in body.get("s3_target", [])]},
            )
        for address, body in each("aws_glue_job"):
            glue.create_job(
                Name=body["name"],
                Role=resolver.resolve(body["role_arn"], address),
                Command={"Name": body["command"]["name"], "ScriptLocation": body["command"]["script_location"]},
                GlueVersion=body.get("glue_version", "5.0"),
            )

        # Policies, exactly as synthesized.
        for role in stack.roles.values():
            for name, text in role.inline.items():
                iam.put_role_policy(
                    RoleName=role.name, PolicyName=name, PolicyDocument=resolver.resolve(text, f"{role.address} policy {name}")
                )
            for name, text in role.attached.items():
                arn = iam.create_policy(PolicyName=name, PolicyDocument=resolver.resolve(text, name))["Policy"]["Arn"]
                iam.attach_role_policy(RoleName=role.name, PolicyArn=arn)
        for rp in stack.resource_policies:
            document = resolver.resolve(rp.policy, rp.address)
            target = resolver.resolve(rp.target, rp.address)
            rtype = rp.address.split(".", 1)[0]
            if rtype == "aws_s3_bucket_policy":
                s3.put_bucket_policy(Bucket=target, Policy=document)
            elif rtype == "aws_sns_topic_policy":
                sns.set_topic_attributes(TopicArn=target, AttributeName="Policy", AttributeValue=document)
            elif rtype == "aws_sqs_queue_policy":
                sqs.set_queue_attributes(QueueUrl=target, Attributes={"Policy": document})
            elif rtype == "aws_cloudwatch_event_bus_policy":
                events.put_permission(EventBusName=target, Policy=document)
            elif rtype == "aws_secretsmanager_secret_policy":
                secrets.put_resource_policy(SecretId=target, ResourcePolicy=document)
        for address, text in stack.key_policies.items():
            kms.put_key_policy(
                KeyId=resolver.values[f"{address}.key_id"], PolicyName="default", Policy=resolver.resolve(text, address)
            )
        return resolver

    def endpoint_policies(self, synth_path: Path, resolver: Resolver) -> dict[str, dict[str, Any]]:
        """The stack's VPC endpoint policies by the service prefix they filter (s3, glue, ...)."""
        synth = json.loads(Path(synth_path).read_text())
        policies: dict[str, dict[str, Any]] = {}
        for key, body in synth.get("resource", {}).get("aws_vpc_endpoint", {}).items():
            if not isinstance(body.get("policy"), str):
                continue
            service = body["service_name"].split(".", 3)[-1]  # com.amazonaws.<region>.<service>
            prefix = {"ecr.api": "ecr", "ecr.dkr": "ecr", "monitoring": "cloudwatch"}.get(service, service)
            policies[prefix] = json.loads(resolver.resolve(body["policy"], f"aws_vpc_endpoint.{key}"))
        return policies


def tools_python(repo_root: Path) -> str:
    """The tools venv's interpreter (built on first use by scripts/python-env.sh)."""
    venv = subprocess.run(
        ["bash", str(repo_root / "scripts" / "python-env.sh"), "tools"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip().splitlines()[-1]
    return str(Path(venv) / "bin" / "python")


def stack_file(repo_root: Path, stack: str) -> Path:
    path = repo_root / "cdktf.out" / "stacks" / stack / "cdk.tf.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path} is missing: synthesize first (npx nx run infra:synth, or "
            "XETL_ENV=dev node --import tsx apps/infra/src/main.ts)"
        )
    return path


if __name__ == "__main__":  # pragma: no cover - manual smoke run
    print(sys.argv)
