"""What doctor checks and how it reaches it: the `doctor` Terraform output (or the file the local
stack writes in the same shape) and one boto3 session per account, with endpoint overrides."""
import json
import subprocess
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

ROUTE_DEFAULTS = {"condition": "", "strip_prefix": "", "add_prefix": "", "qos": 1, "retain": False}
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"})


class InputError(Exception):
    """Bad or missing input: the message names the flag or output and the fix."""


def normalised_routes(routes):
    """Routes with the defaults Terraform and the function apply, sorted by name (comparable)."""
    out = []
    for r in routes:
        full = {**ROUTE_DEFAULTS, **{k: v for k, v in r.items() if v is not None}}
        full["qos"] = int(full["qos"])
        out.append({k: full[k] for k in ["name", "source_filter", *ROUTE_DEFAULTS]})
    return sorted(out, key=lambda r: r["name"])


def destination_topic(route, source_topic):
    """docs/interfaces.md#routes: add_prefix + (source topic without strip_prefix)."""
    return route["add_prefix"] + source_topic[len(route["strip_prefix"]):]


def sample_topic(source_filter):
    """A concrete topic the filter matches ('+' → 'x', '#' → 'doctor'), to ask IAM about."""
    levels = ["x" if lv == "+" else "doctor" if lv == "#" else lv for lv in source_filter.split("/")]
    return "/".join(levels)


def load_outputs(path=None, terraform_dir=None, terraform="terraform"):
    """The `doctor` output: from a `terraform output -json` file, or by running terraform."""
    if path:
        try:
            with open(path, encoding="utf-8") as f:
                raw = json.load(f)
        except FileNotFoundError:
            raise InputError(f"--outputs {path}: no such file (write it with `terraform output -json > {path}`, "
                             "or start the local stack with `make up`)") from None
        except json.JSONDecodeError as e:
            raise InputError(f"--outputs {path}: not JSON ({e})") from None
    else:
        cmd = [terraform, f"-chdir={terraform_dir}", "output", "-json"]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise InputError(f"`{terraform}` is not installed: pass --outputs FILE (terraform output -json) instead") from None
        if run.returncode != 0:
            raise InputError(f"`{' '.join(cmd)}` failed: {run.stderr.strip()}")
        raw = json.loads(run.stdout or "{}")
    doctor = raw.get("doctor", raw)
    if isinstance(doctor, dict) and "value" in doctor and "version" not in doctor:
        doctor = doctor["value"]
    if not isinstance(doctor, dict) or doctor.get("version") != 1:
        raise InputError("the Terraform outputs have no `doctor` output (version 1): apply terraform/ of this "
                         "version (terraform/outputs.tf declares it), or pass the file `make up` writes "
                         "(local/run/outputs.json)")
    return doctor


@dataclass
class Account:
    """One account's session, region, endpoint overrides and the services its target lacks."""
    name: str
    session: boto3.Session
    region: str
    endpoints: dict = field(default_factory=dict)
    unavailable: dict = field(default_factory=dict)
    _clients: dict = field(default_factory=dict)

    def client(self, service):
        if service not in self._clients:
            self._clients[service] = self.session.client(
                service, region_name=self.region, endpoint_url=self.endpoints.get(service), config=CLIENT_CONFIG)
        return self._clients[service]

    def lacks(self, service):
        """Why the target has no such service (None when it has it)."""
        return self.unavailable.get(service)


def account(name, outputs, args):
    """The session of one account: --<name>-profile / --<name>-role-arn, else what Terraform was given."""
    side = outputs[name]
    profile = getattr(args, f"{name}_profile") or side.get("profile")
    role_arn = getattr(args, f"{name}_role_arn") or side.get("assume_role_arn")
    region = getattr(args, f"{name}_region") or side.get("region")
    if not region:
        raise InputError(f"no region for the {name} account: pass --{name}-region")
    endpoints = dict((outputs.get("endpoints") or {}).get(name) or {})
    if args.endpoint_url:
        for service in ("iot", "iot-data", "sqs", "lambda", "iam", "sts", "logs", "cloudwatch"):
            endpoints.setdefault(service, args.endpoint_url)
    unavailable = dict(outputs.get("unavailable") or {})
    try:
        session = boto3.Session(profile_name=profile, region_name=region)
    except Exception as e:  # botocore.exceptions.ProfileNotFound and friends
        raise InputError(f"--{name}-profile {profile}: {e}") from None
    if session.get_credentials() is None and outputs.get("endpoints"):
        # the local stack checks no signatures; boto3 still wants something to sign with
        session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=region)
    if role_arn:
        sts = session.client("sts", region_name=region, endpoint_url=endpoints.get("sts"), config=CLIENT_CONFIG)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="iot-bridge-doctor")["Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"], region_name=region)
    return Account(name, session, region, endpoints, unavailable)
