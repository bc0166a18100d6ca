"""`make latency-sweep`: the bench's end-to-end scenario (one function instance on the whole local
path: source broker -> rules engine -> SQS -> event source mapping -> function -> iot-data ->
destination broker) at several offered rates, each a fraction of the instance's measured capacity,
every rate repeated. The latency model (latency.py) takes its parameters from the file this writes;
the repeats give the latency tolerance. The load run (`make load`) is what checks the model, so
nothing here reads it.

Writes harness/results/analysis/latency-sweep-<UTC time>.json and points
harness/results/analysis/latency-sweep-latest.json at it. One `harness/run.sh` per rate and repeat
(its output in harness/target/latency-sweep/); the passes go over every rate in turn, so that a
change on the machine during the sweep shows as a difference between repeats, i.e. in the tolerance.
"""
import json
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import results

SWEEP_DIR = results.RESULTS_DIR / "analysis"
POINTER = SWEEP_DIR / "latency-sweep-latest.json"
WORK_DIR = results.REPO / "harness" / "target" / "latency-sweep"
RUN_SH = results.REPO / "harness" / "run.sh"
NATIVE_ZIP = results.REPO / "function" / "target" / "native" / "function.zip"
FORMAT = 1
# Of the bench's per-instance capacity, which is above the whole local path's (about 0.95 of it):
# five rates below capacity on the path, each closing a tolerance band of latency.py (the highest
# near its judged limit, ρ 0.85, where the plans run), and one past it, whose full batches give the
# invocation time of a batch of 10 (the path's capacity).
DEFAULT_FRACTIONS = (0.05, 0.25, 0.5, 0.7, 0.8, 0.95)
DEFAULT_REPEATS = 3


class SweepError(Exception):
    """The sweep cannot run or its file cannot be read (the message names the fix)."""


def machine_load():
    """The load average and the busiest processes: what else ran while this was measured."""
    try:
        loadavg = Path("/proc/loadavg").read_text().strip()
    except OSError:
        loadavg = "?"
    try:
        top = subprocess.run(["ps", "-eo", "pcpu,etime,comm", "--sort=-pcpu"], capture_output=True, text=True,
                             timeout=10).stdout.splitlines()[1:6]
    except (OSError, subprocess.SubprocessError):
        top = []
    return {"loadavg": loadavg, "topProcesses": [" ".join(t.split()) for t in top]}


def rates_for(capacity, fractions):
    return [max(1, round(capacity * f)) for f in fractions]


def one_run(rate, repeat, a, log):
    """One harness/run.sh at one rate; returns its results JSON (meta + e2e rows)."""
    out = WORK_DIR / f"e2e-{rate}-r{repeat}.json"
    out.unlink(missing_ok=True)
    cmd = [str(RUN_SH), "--no-build", "--no-docs", "--scenarios", "e2e", "--competitors", "native",
           "--native-zip", str(a.native_zip), "--batch", str(a.batch), "--memory-mb", str(a.memory),
           "--e2e-rate", str(rate), "--e2e-seconds", str(a.seconds), "--e2e-warmup-s", str(a.warmup),
           "--out", str(out)]
    with open(log, "w") as f:
        rc = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT, cwd=results.REPO).returncode
    if rc != 0 or not out.exists():
        raise SweepError(f"harness/run.sh at {rate} msg/s failed (exit {rc}): see {log}")
    return json.loads(out.read_text()), cmd


def run(a, capacity, source):
    """Sweeps offered rates that are fractions of CAPACITY, one instance's msg/s, read from the
    results file SOURCE by the caller (so that this module does not depend on the model)."""
    if not NATIVE_ZIP.exists() and a.native_zip == NATIVE_ZIP:
        raise SweepError(f"no native zip at {results.relative(NATIVE_ZIP)}: run `make native-build` first "
                         f"(the capacity model's default build is native), or pass --native-zip PATH")
    if not (results.REPO / "harness" / "target" / "classpath.txt").exists():
        raise SweepError("harness/target is not built: run `make latency-sweep` (it builds first)")
    rates = rates_for(capacity, a.fractions)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    total = len(rates) * a.repeats
    per_run = 2 * (a.warmup + a.seconds) + 30
    print(f"latency sweep: {len(rates)} rates x {a.repeats} repeats = {total} runs of harness/run.sh "
          f"(native and native-envelope, {a.warmup} s warm-up + {a.seconds} s measured each), about "
          f"{total * per_run / 60:.0f} min; rates {', '.join(map(str, rates))} msg/s = "
          f"{', '.join(f'{f:.0%}' for f in a.fractions)} of {capacity:.1f} msg/s ({source})",
          flush=True)
    load_start = machine_load()
    runs, harness_meta, t0, k = [], None, time.monotonic(), 0
    for repeat in range(1, a.repeats + 1):
        for fraction, rate in zip(a.fractions, rates):
            k += 1
            log = WORK_DIR / f"e2e-{rate}-r{repeat}.log"
            print(f"[{k}/{total}] {rate} msg/s ({fraction:.0%}), repeat {repeat} ...", end=" ", flush=True)
            data, cmd = one_run(rate, repeat, a, log)
            rows = {r["id"]: r for r in data.get("e2e", []) if "error" not in r}
            failed = [r["id"] for r in data.get("e2e", []) if "error" in r]
            if failed or not rows:
                raise SweepError(f"the end-to-end run at {rate} msg/s failed for {', '.join(failed) or 'every competitor'}: "
                                 f"see {log}")
            harness_meta = harness_meta or data.get("meta", {})
            runs.append({"rate": rate, "fraction": fraction, "repeat": repeat, "command": " ".join(cmd[1:]),
                         "loadavg": machine_load()["loadavg"], "rows": rows})
            env = rows.get("native-envelope") or next(iter(rows.values()))
            print(f"p50 {env['p50Ms']} ms, p99 {env['p99Ms']} ms, batch {env['meanBatch']}, invocation "
                  f"{env['meanInvocationMs']} ms ({(time.monotonic() - t0) / 60:.1f} min)", flush=True)
    keep = ("iotDataLatencyMs", "iotDataTls", "limits", "nativeZip", "nativeBuilder", "batchSize", "machine",
            "javaForFunction", "endpoints")
    meta = {
        "format": FORMAT,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": a.command,
        "what": "the bench's end-to-end scenario (harness/run.sh --scenarios e2e) on one function instance at each rate, "
                "every rate repeated; the capacity model's latency parameters (harness/capacity/latency.py)",
        "capacityMsgPerSecond": capacity,
        "capacitySource": source,
        "fractions": list(a.fractions),
        "rates": rates,
        "repeats": a.repeats,
        "e2eSeconds": a.seconds,
        "e2eWarmupSeconds": a.warmup,
        "batch": a.batch,
        "memoryMb": a.memory,
        "note": a.note,
        "minutes": round((time.monotonic() - t0) / 60, 1),
        "loadAtStart": load_start,
        "loadAtEnd": machine_load(),
        **{k2: harness_meta.get(k2) for k2 in keep},
    }
    SWEEP_DIR.mkdir(parents=True, exist_ok=True)
    dst = SWEEP_DIR / f"latency-sweep-{stamp}.json"
    dst.write_text(json.dumps({"meta": meta, "runs": runs}, indent=1) + "\n")
    POINTER.write_text(json.dumps({"latest": dst.name}) + "\n")
    print(f"latency sweep: {results.relative(dst)} ({meta['minutes']} min); "
          f"{results.relative(POINTER)} points at it")
    return dst


def resolve(path=None):
    """The sweep file: PATH, or the one latency-sweep-latest.json points at."""
    if path is None:
        if not POINTER.exists():
            raise SweepError(f"no latency sweep: {results.relative(POINTER)} does not exist; "
                             f"run `make latency-sweep` (it writes it)")
        try:
            name = json.loads(POINTER.read_text())["latest"]
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise SweepError(f"{POINTER} is not a pointer {{\"latest\": \"latency-sweep-<UTC>.json\"}}: {e}; "
                             f"run `make latency-sweep` again") from e
        path = POINTER.parent / name
    return Path(path)


def load(path=None):
    """The sweep's data, checked: its format, its runs; raises SweepError naming the fix."""
    path = resolve(path)
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as e:
        raise SweepError(f"cannot read the latency sweep {path}: {e}; run `make latency-sweep`") from e
    meta = data.get("meta") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise SweepError(f"{path} is not a latency sweep of format {FORMAT} (meta.format is "
                         f"{(meta or {}).get('format')!r}): it was written by an older harness; run `make latency-sweep` again")
    if not data.get("runs"):
        raise SweepError(f"{path} has no runs: run `make latency-sweep` again")
    return path, data


def main_args(p):
    p.add_argument("--fractions", default=",".join(f"{f:g}" for f in DEFAULT_FRACTIONS),
                   help="offered rates as fractions of the instance's measured capacity (default "
                        f"{','.join(f'{f:g}' for f in DEFAULT_FRACTIONS)})")
    p.add_argument("--repeats", type=int, default=DEFAULT_REPEATS,
                   help=f"passes over every rate (default {DEFAULT_REPEATS}; at least 2, their spread is the latency tolerance)")
    p.add_argument("--seconds", type=int, default=30, help="measured seconds per run (default 30)")
    p.add_argument("--warmup", type=int, default=15, help="warm-up seconds per run, from the process start (default 15)")
    p.add_argument("--batch", type=int, default=10, help="batch size (default 10)")
    p.add_argument("--memory", type=int, default=512, help="function memory, MB (default 512)")
    p.add_argument("--native-zip", type=Path, default=NATIVE_ZIP, help="the native zip (default function/target/native/function.zip)")
    p.add_argument("--note", default="", help="conditions worth saying, e.g. what else ran on the machine")
    p.add_argument("--command", default="make latency-sweep", help="the command line recorded in meta")
    p.add_argument("--results-dir", default=str(results.RESULTS_DIR), help="committed bench results (default harness/results)")


def check_args(a):
    try:
        a.fractions = [float(x) for x in str(a.fractions).split(",") if x.strip()]
    except ValueError:
        raise SweepError(f"--fractions must be comma-separated numbers, e.g. 0.1,0.5,0.85, got {a.fractions!r}") from None
    if len(a.fractions) < 3 or not all(0 < f < 1.5 for f in a.fractions):
        raise SweepError(f"--fractions needs at least 3 fractions of the capacity, each above 0 and below 1.5 "
                         f"(e.g. 0.05,0.3,0.5,0.7,0.85), got {a.fractions}")
    if a.repeats < 2:
        raise SweepError(f"--repeats must be at least 2 (the spread between repeats is the latency tolerance), got {a.repeats}")
    if a.seconds < 5 or a.warmup < 5:
        raise SweepError(f"--seconds and --warmup must be at least 5, got {a.seconds} and {a.warmup}")
    a.native_zip = Path(a.native_zip).resolve()
    return a


if __name__ == "__main__":
    sys.exit("run it as `make latency-sweep` (python3 harness/capacity/capacity.py sweep)")
