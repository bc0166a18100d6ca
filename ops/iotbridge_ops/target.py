"""What a command reaches and how: the deployment's `doctor` Terraform output (from `terraform
output -json`, a saved copy, or the file the local stack writes in the same shape), and one boto3
session per account with the endpoint overrides of an emulator or the local stack. Every
subcommand takes the same flags for this (add_arguments), so they all reach the same thing."""
import json
import os
import pathlib
import re
import subprocess
from dataclasses import dataclass, field

import boto3
from botocore.config import Config

ROOT = pathlib.Path(__file__).resolve().parents[2]
LOCAL_OUTPUTS = ROOT / "local" / "run" / "outputs.json"
ACCOUNTS = ("source", "destination")
# SDK retries (standard mode) cover throttling and dropped connections; the timeouts keep a
# command against an unreachable endpoint from hanging.
CLIENT_CONFIG = Config(connect_timeout=5, read_timeout=20, retries={"max_attempts": 3, "mode": "standard"})
EMULATED_SERVICES = ("iot", "iot-data", "sqs", "lambda", "iam", "sts", "logs", "cloudwatch")


class InputError(Exception):
    """Bad or missing input: the message names the flag or output and the fix."""


def add_arguments(parser, accounts=ACCOUNTS, short_flags_for=None):
    """The flags that say what to reach. short_flags_for names the account that also answers to
    --profile / --role-arn / --region (a command that works in one account only)."""
    where = parser.add_argument_group("what to reach (one of; default: --terraform-dir)")
    one = where.add_mutually_exclusive_group()
    one.add_argument("--terraform-dir", metavar="DIR",
                     help="run `terraform output -json` there (default: this repository's terraform/)")
    one.add_argument("--outputs", metavar="FILE", help="`terraform output -json` saved to a file")
    one.add_argument("--local", action="store_true",
                     help=f"the local stack of `make up` (reads {LOCAL_OUTPUTS.relative_to(ROOT)}, which it writes)")
    how = parser.add_argument_group("how to reach it")
    how.add_argument("--terraform", metavar="BIN", default=os.environ.get("TF") or "terraform",
                     help="terraform binary for --terraform-dir (default: $TF, else terraform)")
    how.add_argument("--endpoint-url", metavar="URL",
                     help="send every AWS call to this endpoint (an emulator such as moto or ElasticMQ)")
    for side in accounts:
        g = parser.add_argument_group(f"{side} account (default: what Terraform was given)")
        short = side == short_flags_for
        g.add_argument(f"--{side}-profile", *(["--profile"] if short else []), metavar="NAME", help="AWS CLI profile")
        g.add_argument(f"--{side}-role-arn", *(["--role-arn"] if short else []), metavar="ARN",
                       help="role to assume (after the profile, if any)")
        g.add_argument(f"--{side}-region", *(["--region"] if short else []), metavar="REGION",
                       help="default: Terraform's, else the profile's or AWS_REGION")


def named_target(args):
    """True when the user chose --outputs, --local or --terraform-dir (not the default)."""
    return bool(args.outputs or args.local or args.terraform_dir)


def load_outputs(args):
    """The `doctor` output of what the flags name: a file, the local stack's file, or `terraform output -json`."""
    if args.local or args.outputs:
        path = LOCAL_OUTPUTS if args.local else pathlib.Path(args.outputs)
        flag = "--local" if args.local else "--outputs"
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            fix = ("start the local stack with `make up` (it writes the file while it runs)" if args.local else
                   f"write it with `terraform output -json > {path}`, or use --local for the stack of `make up`")
            raise InputError(f"{flag}: {path} does not exist: {fix}") from None
        except json.JSONDecodeError as e:
            raise InputError(f"{flag}: {path} is not JSON ({e})") from None
    else:
        tf_dir = args.terraform_dir or str(ROOT / "terraform")
        cmd = [args.terraform, f"-chdir={tf_dir}", "output", "-no-color", "-json"]
        try:
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise InputError(f"--terraform {args.terraform}: not installed; install Terraform, or pass --outputs FILE "
                             "(terraform output -json saved elsewhere) or --local") from None
        if run.returncode != 0:
            raise InputError(f"`{' '.join(cmd)}` failed: {run.stderr.strip()}\n  pass --terraform-dir of an applied "
                             "configuration, --outputs FILE or --local")
        raw = json.loads(run.stdout or "{}")
    doctor = raw.get("doctor", raw)
    if isinstance(doctor, dict) and "value" in doctor and "version" not in doctor:
        doctor = doctor["value"]
    if not isinstance(doctor, dict) or doctor.get("version") != 1:
        raise InputError("the Terraform outputs have no `doctor` output (version 1): apply terraform/ of this "
                         "version (terraform/outputs.tf declares it), or use --local for the stack of `make up`")
    return doctor


def region_of(queue_url):
    """The region in an SQS queue URL (https://sqs.eu-west-1.amazonaws.com/... or the legacy eu-west-1.queue.amazonaws.com)."""
    m = re.match(r"https://(?:sqs\.([a-z0-9-]+)|([a-z0-9-]+)\.queue)\.amazonaws\.com", queue_url or "")
    return (m.group(1) or m.group(2)) if m else None


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
    """The session of one account: --<name>-profile / --<name>-role-arn / --<name>-region, else what
    Terraform was given (the outputs), else the AWS chain."""
    side = outputs.get(name) or {}
    profile = getattr(args, f"{name}_profile") or side.get("profile")
    role_arn = getattr(args, f"{name}_role_arn") or side.get("assume_role_arn")
    endpoints = dict((outputs.get("endpoints") or {}).get(name) or {})
    if args.endpoint_url:
        endpoints.update(dict.fromkeys(EMULATED_SERVICES, args.endpoint_url))
    try:
        session = boto3.Session(profile_name=profile, region_name=getattr(args, f"{name}_region") or side.get("region"))
    except Exception as e:  # botocore.exceptions.ProfileNotFound and friends
        raise InputError(f"--{name}-profile {profile}: {e}") from None
    region = session.region_name
    if not region:
        raise InputError(f"no region for the {name} account: pass --{name}-region (or set AWS_REGION)")
    if session.get_credentials() is None and outputs.get("endpoints"):
        # the local stack checks no signatures; boto3 still wants something to sign with
        session = boto3.Session(aws_access_key_id="local", aws_secret_access_key="local", region_name=region)
    if role_arn:
        sts = session.client("sts", region_name=region, endpoint_url=endpoints.get("sts"), config=CLIENT_CONFIG)
        creds = sts.assume_role(RoleArn=role_arn, RoleSessionName=f"iot-bridge-{args.command}")["Credentials"]
        session = boto3.Session(aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                                aws_session_token=creds["SessionToken"], region_name=region)
    return Account(name, session, region, endpoints, dict(outputs.get("unavailable") or {}))
