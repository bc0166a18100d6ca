"""What the tests share: the CLI as a user runs it (ops/iot-bridge, a separate process), and the
real local stack that conftest.py starts once per session (make up's LocalStackMain on free ports
with the real function.zip; ElasticMQ holds its queue and DLQ).

The stack needs function/target/function.zip and local/target/classes + classpath.txt, and the
java of OPS_TEST_JAVA (default: java on PATH); `make ops-test` builds them and sets it.
"""
import os
import pathlib
import subprocess
from dataclasses import dataclass
from urllib.parse import urlsplit

import boto3
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = ROOT / "ops" / "iot-bridge"
STACK_START_SECONDS = 240
# Dummy credentials, no profile: a test never reaches a real account, whatever the caller's environment holds.
CLI_ENV = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
           "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


@dataclass
class Run:
    exit: int
    out: str
    err: str


def iot_bridge(*args, timeout=300):
    """Runs `ops/iot-bridge ARGS` as a user would and returns its exit status, stdout and stderr."""
    p = subprocess.run([str(CLI), *map(str, args)], capture_output=True, text=True, timeout=timeout, env=CLI_ENV)
    return Run(p.returncode, p.stdout, p.stderr)


@dataclass
class LocalStack:
    outputs_file: pathlib.Path
    outputs: dict      # the `doctor` output's value, as the stack wrote it
    log_file: pathlib.Path

    def client(self, service, side="destination"):
        """A client of the stack's control plane (or data endpoint) for `service`, as an operator's CLI would use."""
        return boto3.client(service, endpoint_url=self.outputs["endpoints"][side][service], region_name=self.region,
                            aws_access_key_id="local", aws_secret_access_key="local")

    def elasticmq(self):
        """A client of the stack's ElasticMQ itself (the queue URLs' host), independent of the control plane."""
        url = urlsplit(self.outputs["destination"]["queue_url"])
        return boto3.client("sqs", endpoint_url=f"{url.scheme}://{url.netloc}", region_name=self.region,
                            aws_access_key_id="local", aws_secret_access_key="local")

    def event_source_mapping(self):
        """The UUID of the function's event source mapping on the bridge queue."""
        found = self.client("lambda").list_event_source_mappings(EventSourceArn=self.outputs["destination"]["queue_arn"])
        return found["EventSourceMappings"][0]["UUID"]

    @property
    def region(self):
        return self.outputs["destination"]["region"]

    def log_tail(self):
        return self.log_file.read_text()[-4000:]


def stack_command(outputs):
    java = os.environ.get("OPS_TEST_JAVA", "java")
    cp_file = ROOT / "local/target/classpath.txt"
    zip_file = ROOT / "function/target/function.zip"
    for f, how in ((cp_file, "make ops-test (or ./mvnw -pl local -am package -DskipTests)"), (zip_file, "make package")):
        if not f.exists():
            pytest.fail(f"{f} is missing: run {how}")
    cp = f"{ROOT / 'local/target/classes'}:{cp_file.read_text().strip()}"
    return [java, f"-Dbridge.root={ROOT}", "-cp", cp, "dev.iotbridge.local.LocalStackMain",
            "--config", str(ROOT / "local/bridge.local.json"), "--function", str(zip_file), "--outputs", str(outputs),
            "--free-ports"]
