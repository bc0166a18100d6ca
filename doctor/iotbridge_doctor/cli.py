"""iot-bridge doctor — prove that a deployment of the bridge works end to end.

  doctor/iot-bridge-doctor --terraform-dir terraform          # AWS: reads `terraform output -json`
  doctor/iot-bridge-doctor --outputs local/run/outputs.json   # the local stack (`make up`)
  doctor/iot-bridge-doctor --outputs out.json --endpoint-url http://127.0.0.1:5000 --no-canary   # moto

Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on bad input.
"""
import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from . import report
from .canary import Canary, skipped
from .checks import ConfigChecks, api_error
from .target import InputError, account, load_outputs


def parser():
    p = argparse.ArgumentParser(prog="iot-bridge-doctor", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    src = p.add_argument_group("what to check (one of)")
    src.add_argument("--outputs", metavar="FILE", help="`terraform output -json` saved to a file, or local/run/outputs.json")
    src.add_argument("--terraform-dir", metavar="DIR", help="run `terraform output -json` there (default: terraform)")
    src.add_argument("--terraform", default="terraform", help="terraform binary (default: terraform)")
    for side in ("source", "destination"):
        g = p.add_argument_group(f"{side} account (default: what Terraform was given)")
        g.add_argument(f"--{side}-profile", metavar="NAME", help="AWS CLI profile")
        g.add_argument(f"--{side}-role-arn", metavar="ARN", help="role to assume (after the profile, if any)")
        g.add_argument(f"--{side}-region", metavar="REGION")
    p.add_argument("--endpoint-url", metavar="URL", help="send every AWS call to this endpoint (an emulator such as moto)")
    p.add_argument("--no-canary", action="store_true",
                   help="configuration checks only (an AWS API emulator such as moto has no rules engine or Lambda runtime: "
                        "no message can cross it)")
    p.add_argument("--canary-timeout", type=float, default=60.0, metavar="SECONDS", help="default 60")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        outputs = load_outputs(args.outputs, None if args.outputs else (args.terraform_dir or "terraform"), args.terraform)
        source = account("source", outputs, args)
        destination = account("destination", outputs, args)
    except InputError as e:
        print(f"iot-bridge-doctor: {e}", file=sys.stderr)
        return 2
    except (ClientError, BotoCoreError) as e:
        print(f"iot-bridge-doctor: cannot get credentials: {api_error(e)[0]}: {api_error(e)[1]}", file=sys.stderr)
        return 2
    target = f"AWS API emulator at {args.endpoint_url}" if args.endpoint_url else outputs.get("target", "AWS")
    title = (f"iot-bridge doctor — {target}: source {source.region}, destination {destination.region}, "
             f"{len(outputs['routes'])} route(s)")
    checks = ConfigChecks(outputs, source, destination)
    results = checks.run()
    if args.no_canary:
        results.append(skipped("--no-canary (configuration checks only"
                               + (f"; {args.endpoint_url} emulates the AWS APIs, not the IoT data plane, rules engine "
                                  "and Lambda runtime a message needs)" if args.endpoint_url else ")")))
    else:
        results += Canary(outputs, source, destination, checks.facts, timeout=args.canary_timeout).run()
    print(report.as_json(title, results) if args.json else report.as_table(title, results))
    return 1 if any(r.status == report.FAIL for r in results) else 0
