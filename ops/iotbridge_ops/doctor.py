"""iot-bridge doctor: prove that a deployment of the bridge works end to end.

  ops/iot-bridge doctor                          # terraform/'s deployment: reads `terraform output -json`
  ops/iot-bridge doctor --local                  # the local stack (`make up`)
  ops/iot-bridge doctor --outputs out.json --endpoint-url http://127.0.0.1:5000 --no-canary   # moto

Exit status: 0 when nothing failed (warnings allowed), 1 when a check failed, 2 on bad input.
"""
import argparse

from . import report, target
from .canary import Canary, skipped
from .checks import ConfigChecks


def add_parser(subcommands):
    summary, examples = __doc__.split("\n\n", 1)
    p = subcommands.add_parser("doctor", help="configuration checks of both accounts, then a canary message across",
                               description=summary, epilog=examples,
                               formatter_class=argparse.RawDescriptionHelpFormatter)
    target.add_arguments(p)
    p.add_argument("--no-canary", action="store_true",
                   help="configuration checks only (an AWS API emulator such as moto has no rules engine or Lambda runtime: "
                        "no message can cross it)")
    p.add_argument("--canary-timeout", type=float, default=60.0, metavar="SECONDS", help="default 60")
    p.add_argument("--json", action="store_true", help="print the checks as JSON")
    p.set_defaults(run=run)


def run(args):
    outputs = target.load_outputs(args)
    source = target.account("source", outputs, args)
    destination = target.account("destination", outputs, args)
    where = f"AWS API emulator at {args.endpoint_url}" if args.endpoint_url else outputs.get("target", "AWS")
    title = (f"iot-bridge doctor — {where}: source {source.region}, destination {destination.region}, "
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
