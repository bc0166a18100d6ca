"""The committed `make bench` results the capacity model reads: which run is the reference, which
other runs were made under the same conditions (their spread is the model's tolerance), and the
measured rows of one build of the function.

A results file is `harness/results/<UTC time>.json` (a full `make bench` run) or
`harness/results/analysis/*.json` (a shorter run behind a statement in docs/benchmarks.md); the
fields are described in docs/benchmarks.md ("What is measured").
"""
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RESULTS_DIR = REPO / "harness" / "results"
FULL_RUN_NAME = re.compile(r"^\d{8}T\d{6}Z\.json$")

# Flags of harness/run.sh that change what is measured (another build, other options, no CPU share,
# a profiler attached): a run made with one is not a repetition of the reference run.
VARIANT_FLAGS = ("--native-options", "--extra-jvm-options", "--plain-http", "--no-cpu-limit",
                 "--no-memory-limit", "--profile")

# Conditions in meta that must be equal for two runs to measure the same thing.
SAME_CONDITIONS = ("iotDataTls", "iotDataLatencyMs", "nativeBuilder", "nativeZip", "jvmOptions", "appCds")
SAME_LIMITS = ("memoryMb", "vcpu", "method")

# Row ids of each build of the function, by SQS message shape (harness/.../Bench.java competitors).
BUILD_IDS = {
    ("native", "legacy"): "native",
    ("native", "envelope-v1"): "native-envelope",
    ("jvm", "legacy"): "jvm",
    ("jvm", "envelope-v1"): "jvm-envelope",
}
BUILDS = ("native", "jvm")
SHAPES = ("envelope-v1", "legacy")


class ResultsError(Exception):
    """The committed results cannot answer the question asked (the message says what is missing)."""


@dataclass(frozen=True)
class Run:
    path: Path
    data: dict

    @property
    def meta(self):
        return self.data.get("meta", {})

    @property
    def name(self):
        """The path as cited in the model's output: relative to the repository."""
        return relative(self.path)

    def rows(self, section):
        default_batch = self.meta.get("batchSize", 10)
        for r in self.data.get(section, []):
            if "error" in r:
                continue
            yield {**r, "batchSize": r.get("batchSize", default_batch)}


def tolerance_step(spread):
    """A run-to-run spread rounded up to a multiple of 0.05: the rule of every tolerance the model states."""
    return math.ceil(round(spread * 20, 6)) / 20


def relative(path):
    """A path as cited in output and docs: relative to the repository when inside it."""
    path = Path(path).resolve()
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def load(path):
    path = Path(path)
    try:
        with open(path) as f:
            return Run(path.resolve(), json.load(f))
    except (OSError, ValueError) as e:
        raise ResultsError(f"cannot read results file {path}: {e}") from e


def reference_run(results_dir=RESULTS_DIR):
    """The newest full `make bench` run (harness/results/<UTC time>.json) that is not a smoke run."""
    names = sorted((p for p in Path(results_dir).glob("*.json") if FULL_RUN_NAME.match(p.name)), reverse=True)
    for p in names:
        run = load(p)
        if not run.meta.get("smoke"):
            return run
    raise ResultsError(f"no full bench run in {results_dir}: run `make bench` (it writes harness/results/<UTC time>.json)")


def comparable_runs(ref, results_dir=RESULTS_DIR):
    """Runs made under the reference run's conditions with the shipped builds, the reference included."""
    paths = [p for p in Path(results_dir).glob("*.json") if FULL_RUN_NAME.match(p.name)]
    # the latency sweep's files are not bench runs (sweep.py; latency.py reads them)
    paths += [p for p in Path(results_dir).glob("analysis/*.json") if not p.name.startswith("latency-sweep-")]
    runs = []
    for p in sorted(paths):
        run = ref if p.resolve() == ref.path else load(p)
        m = run.meta
        if m.get("smoke") or any(flag in m.get("command", "") for flag in VARIANT_FLAGS):
            continue
        if any(m.get(k) != ref.meta.get(k) for k in SAME_CONDITIONS):
            continue
        limits, ref_limits = m.get("limits") or {}, ref.meta.get("limits") or {}
        if any(limits.get(k) != ref_limits.get(k) for k in SAME_LIMITS):
            continue
        runs.append(run)
    return runs


def build_id(build, shape):
    try:
        return BUILD_IDS[(build, shape)]
    except KeyError:
        raise ResultsError(f"unknown build/shape {build}/{shape}: build is one of {', '.join(BUILDS)}, "
                           f"shape one of {', '.join(SHAPES)}") from None


def throughput_rows(run, build, shape):
    """The build's throughput rows for one message shape, by batch size."""
    rid = build_id(build, shape)
    return {r["batchSize"]: r for r in run.rows("throughput") if r.get("id") == rid}


def e2e_row(run, build, shape):
    rid = build_id(build, shape)
    return next((r for r in run.rows("e2e") if r.get("id") == rid), None)
