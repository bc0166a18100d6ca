#!/usr/bin/env python3
"""Capacity model of the bridge (docs/capacity.md).

  capacity.py plan --rate R [--payload BYTES] [--batch B] [--memory M] [--mode standard|provisioned] [--json]
      what it takes to bridge R msg/s: instances, event source mapping, quotas, latency, cost
  capacity.py report [--load PATH] [--chart]
      rewrites docs/capacity.md's generated parts (and docs/capacity.png with --chart, needs matplotlib)
  capacity.py predict --instances N --batch B --memory M --payload BYTES [--rate R] [--json]
      what N concurrent function instances bridge, from the committed bench results; end-to-end
      latency at R msg/s offered to them (default: half their capacity), from the latency sweep
  capacity.py sweep [--fractions F,F,...] [--repeats N] [--note TEXT]
      `make latency-sweep`: the bench's end-to-end scenario at several rates, the latency model's input
"""
import argparse
import json
import sys

import model
import plan
import prices
import report
import results
import sweep


def positive_int(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r} (e.g. 10)") from None


def number(text):
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r} (e.g. 10000)") from None


def add_function_options(p):
    p.add_argument("--batch", type=positive_int, default=10, help="SQS event source mapping batch size (default 10)")
    p.add_argument("--memory", type=positive_int, default=512, help="function memory, MB (default 512)")
    p.add_argument("--payload", type=positive_int, default=model.BENCH_PAYLOAD_BYTES,
                   help=f"message payload, bytes (default {model.BENCH_PAYLOAD_BYTES}, the bench's)")
    p.add_argument("--build", choices=results.BUILDS, default="native",
                   help="function build (default native, the deployed default)")
    p.add_argument("--shape", choices=results.SHAPES, default="envelope-v1",
                   help="SQS message shape (default envelope-v1, what the project's source rule sends)")
    p.add_argument("--concurrency", type=positive_int, default=None,
                   help="publishes in flight per batch, BRIDGE_MAX_CONCURRENCY (default: the batch size, as the bench runs it)")
    p.add_argument("--window", type=number, default=None,
                   help="maximum batching window, seconds (default 0 up to batch size 10, else 1)")
    p.add_argument("--results-dir", default=str(results.RESULTS_DIR), help="committed bench results (default harness/results)")
    p.add_argument("--sweep", default=None,
                   help="latency sweep file (default: the one harness/results/analysis/latency-sweep-latest.json points at)")


def run_predict(a):
    p = model.predict(a.instances, a.batch, a.memory, a.payload, build=a.build, shape=a.shape,
                      concurrency=a.concurrency, window_s=a.window, results_dir=a.results_dir, rate=a.rate,
                      sweep_path=a.sweep)
    if a.json:
        json.dump(p.as_json(), sys.stdout, indent=2)
        print()
        return
    lat = ("no steady state (at or past capacity on the path)" if p.latency_p50_ms is None else
           f"p50 {p.latency_p50_ms:.1f} ms, p99 {p.latency_p99_ms:.1f} ms ({p.latency_tolerance_text})")
    print(f"{p.instances} instance(s) x {p.per_instance:.1f} msg/s = {p.msg_per_second:.1f} msg/s "
          f"(± {p.tolerance:.0%}); end to end at {p.latency_rate:.0f} msg/s ({p.utilisation:.0%} of "
          f"{p.instances} x {p.path_per_instance:.0f} msg/s on the local path): {lat}")
    print(f"  per instance: {p.sources['perInstance']}; latency: {p.sources['latency']}")
    print(f"  tolerance {p.sources['toleranceBasis']}")
    print(f"  latency tolerance: {p.sources['latencyToleranceBasis']}")
    for s in p.assumptions:
        print(f"  assumption: {s}")


def run_sweep(a):
    a = sweep.check_args(a)
    # the fractions are of the native instance's capacity in the committed bench reference
    ref = results.reference_run(a.results_dir)
    capacity, _ = model.per_instance(ref, "native", "envelope-v1", a.batch, a.memory, a.batch, [])
    sweep.run(a, capacity, ref.name)


def run_plan(a):
    p = plan.make(a.rate, a.payload, a.batch, a.memory, a.mode, build=a.build, shape=a.shape,
                  concurrency=a.concurrency, window_s=a.window, drain_rate=a.drain, results_dir=a.results_dir)
    if a.json:
        json.dump(plan.as_json(p), sys.stdout, indent=2)
        print()
    else:
        print(plan.render(p))


def run_report(a):
    draw = None
    if a.chart:
        import chart  # matplotlib: only for the picture
        draw = chart.draw
    for line in report.write(load=a.load, chart=draw):
        print(line)


def parser():
    ap = argparse.ArgumentParser(prog="capacity.py", description=__doc__.split("\n\n")[0])
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("plan", help="what it takes to bridge a rate")
    p.add_argument("--rate", type=number, required=True, help="messages per second to bridge")
    p.add_argument("--mode", default="standard", help="event source mapping mode: standard or provisioned (default standard)")
    p.add_argument("--drain", type=number, default=None,
                   help="msg/s a backlog drains at (default twice the rate, at most the destination's inbound publish quota)")
    add_function_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_plan)
    p = sub.add_parser("report", help="rewrite docs/capacity.md's generated parts")
    p.add_argument("--load", default=str(report.LOAD), help="load run results (default harness/results/load/latest.json)")
    p.add_argument("--chart", action="store_true", help="also draw docs/capacity.png (needs matplotlib)")
    p.set_defaults(run=run_report)
    p = sub.add_parser("predict", help="throughput and latency of N instances")
    p.add_argument("--instances", type=positive_int, required=True, help="concurrent function instances")
    add_function_options(p)
    p.add_argument("--rate", type=number, default=None,
                   help="msg/s offered to the N instances, for the latency (default: half their capacity on the path)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(run=run_predict)
    p = sub.add_parser("sweep", help="measure end-to-end latency at several rates (make latency-sweep)")
    sweep.main_args(p)
    p.set_defaults(run=run_sweep)
    return ap


def main(argv=None):
    a = parser().parse_args(argv)
    try:
        a.run(a)
    except (model.ModelError, results.ResultsError, prices.PriceError, report.ReportError, sweep.SweepError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
