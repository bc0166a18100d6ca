"""iot-bridge: operate a deployment of the cross-account bridge (`iot-bridge COMMAND --help`)."""
import argparse
import sys

from botocore.exceptions import BotoCoreError, ClientError

from . import doctor, redrive
from .checks import api_error
from .target import InputError


def parser():
    p = argparse.ArgumentParser(prog="iot-bridge", description=__doc__.split(":", 1)[1].strip())
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    doctor.add_parser(commands)
    redrive.add_parser(commands)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except InputError as e:
        print(f"iot-bridge {args.command}: {e}", file=sys.stderr)
    except (ClientError, BotoCoreError) as e:
        code, message = api_error(e)
        print(f"iot-bridge {args.command}: {code}: {message}", file=sys.stderr)
    return 2
