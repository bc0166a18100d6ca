"""The per-instance model against the committed bench results and against small results files
written here (so that each rule is checked with numbers whose answer is known)."""
import copy
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import latency
import model
import results

CAPACITY = Path(__file__).resolve().parents[1] / "capacity.py"
REF = results.reference_run()


def row(rid, shape, batch, thr, cpu):
    return {"id": rid, "label": rid, "messageShape": shape, "batchSize": batch, "concurrency": batch,
            "throughput": thr, "cpuMsPerMsg": cpu}


META = {"date": "2026-01-01T00:00:00Z", "command": "make bench", "batchSize": 10, "iotDataLatencyMs": 15,
        "iotDataTls": True, "smoke": False, "e2eRate": 200, "nativeBuilder": "b", "nativeZip": "z",
        "jvmOptions": "o", "appCds": False,
        "limits": {"memoryMb": 512, "vcpu": 0.289, "method": "cgroup v1 cpu.cfs_quota_us"}}


def run_data(thr10=400.0, thr100=500.0, **meta):
    return {"meta": {**META, **meta},
            "throughput": [row("native", "legacy", 10, thr10, 0.6), row("native", "legacy", 100, thr100, 0.51),
                           row("native-envelope", "envelope-v1", 10, thr10, 0.6)],
            "e2e": [{"id": "native-envelope", "label": "n", "messageShape": "envelope-v1", "p50Ms": 60.0, "p99Ms": 80.0},
                    {"id": "native", "label": "n", "messageShape": "legacy", "p50Ms": 60.0, "p99Ms": 80.0}]}


class ResultsDir:
    """A harness/results directory: the reference run, further full runs, analysis runs."""

    def __init__(self, ref, others=(), analysis=()):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name)
        (self.path / "analysis").mkdir()
        (self.path / "20260101T000000Z.json").write_text(json.dumps(ref))
        for i, d in enumerate(others):
            (self.path / f"20251201T00000{i}Z.json").write_text(json.dumps(d))
        for i, d in enumerate(analysis):
            (self.path / "analysis" / f"a{i}.json").write_text(json.dumps(d))

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self.tmp.cleanup()


class CommittedResults(unittest.TestCase):
    def test_reference_is_the_newest_full_run(self):
        self.assertEqual(REF.name, "harness/results/20261204T233320Z.json")

    def test_a_measured_point_gives_the_measured_throughput(self):
        measured = results.throughput_rows(REF, "native", "envelope-v1")[10]["throughput"]
        p = model.predict(1, 10, 512, 50)
        self.assertEqual(p.per_instance, measured)
        # the latency from the committed sweep's curve, at half the instance's capacity on the path
        self.assertEqual((p.latency_p50_ms, p.latency_p99_ms), latency.curve().at(p.latency_rate, 1))
        legacy = results.throughput_rows(REF, "native", "legacy")[100]["throughput"]
        self.assertEqual(model.predict(1, 100, 512, 50, shape="legacy").per_instance, legacy)

    def test_instances_multiply(self):
        one, four = model.predict(1, 10, 512, 50, rate=100), model.predict(4, 10, 512, 50, rate=100)
        self.assertAlmostEqual(four.msg_per_second, 4 * one.msg_per_second)
        self.assertEqual(one.assumptions, four.assumptions)

    def test_tolerance_comes_from_runs_under_the_same_conditions(self):
        p = model.predict(1, 10, 512, 50)
        self.assertIn("harness/results/20261204T230258Z.json", p.sources["tolerance"])
        # other builds or options: not repetitions of the reference
        self.assertNotIn("harness/results/analysis/native-march-x86-64-v3.json", p.sources["tolerance"])
        self.assertNotIn("harness/results/analysis/native-young-gen-8m.json", p.sources["tolerance"])
        self.assertTrue(0 < p.tolerance < 0.5, p.tolerance)


class Scaling(unittest.TestCase):
    def test_cpu_bound_batch_doubles_with_memory(self):
        with ResultsDir(run_data(thr10=400.0, thr100=100 / (100 * 0.51 / (512 / 1769)) * 1000),
                        others=[run_data()]) as d:
            p512 = model.predict(1, 100, 512, 50, shape="legacy", results_dir=d)
            p1024 = model.predict(1, 100, 1024, 50, shape="legacy", results_dir=d)
        self.assertAlmostEqual(p1024.per_instance / p512.per_instance, 2.0, places=6)
        self.assertTrue(any("linear CPU-share scaling" in s for s in p1024.assumptions))

    def test_publish_round_trips_floor_the_batch(self):
        # at 10,240 MB the CPU part of a 10-record batch is far below one 15 ms round trip
        with ResultsDir(run_data(), others=[run_data()]) as d:
            p = model.predict(1, 10, 10240, 50, results_dir=d)
            remainder = 10 / 400.0 * 1000 - max(10 * 0.6 / (512 / 1769), 15)
            self.assertAlmostEqual(p.batch_ms, 15 + remainder)
            # one publish at a time: ten round trips per batch
            p1 = model.predict(1, 10, 10240, 50, concurrency=1, results_dir=d)
            self.assertAlmostEqual(p1.batch_ms, 150 + remainder)

    def test_unmeasured_batch_uses_the_fit_through_the_measured_ones(self):
        with ResultsDir(run_data(), others=[run_data()]) as d:
            ref = results.reference_run(d)
            a, b = model.fit_cpu(list(model.measured_points(ref, "native", "legacy").values()))
            self.assertAlmostEqual(a + b / 10, 0.6)
            self.assertAlmostEqual(a + b / 100, 0.51)
            assumptions = []
            self.assertAlmostEqual(model.cpu_per_message(ref, "native", "legacy", 50, assumptions), a + b / 50)
            self.assertIn("fitted through the measured batch sizes", assumptions[0])
            # envelope-v1 has batch size 10 only: its per-invocation part comes from the legacy rows
            assumptions = []
            self.assertAlmostEqual(model.cpu_per_message(ref, "native", "envelope-v1", 100, assumptions),
                                   0.6 - b / 10 + b / 100)
            self.assertIn("fitted on the legacy rows", assumptions[0])


class Tolerance(unittest.TestCase):
    def test_largest_difference_rounded_up(self):
        with ResultsDir(run_data(thr10=400.0), others=[run_data(thr10=352.0)]) as d:  # 12 % lower
            self.assertEqual(model.predict(1, 10, 512, 50, results_dir=d).tolerance, 0.15)

    def test_variant_runs_and_other_conditions_are_left_out(self):
        variant = run_data(thr10=100.0, command="harness/run.sh --native-options -XX:MaxNewSize=8m")
        plain = run_data(thr10=100.0, iotDataTls=False)
        other_memory = copy.deepcopy(run_data(thr10=100.0))
        other_memory["meta"]["limits"]["memoryMb"] = 1024
        same = run_data(thr10=390.0)
        with ResultsDir(run_data(), others=[plain, other_memory], analysis=[variant, same]) as d:
            p = model.predict(1, 10, 512, 50, results_dir=d)
        self.assertEqual(p.tolerance, 0.05)
        self.assertEqual(len(p.sources["tolerance"]), 1)
        self.assertTrue(p.sources["tolerance"][0].endswith("analysis/a1.json"), p.sources["tolerance"])

    def test_without_a_repeated_run_the_tolerance_is_unknown(self):
        with ResultsDir(run_data()) as d:
            with self.assertRaisesRegex(model.ModelError, "no committed run repeats"):
                model.predict(1, 10, 512, 50, results_dir=d)


class BadInput(unittest.TestCase):
    def test_each_bad_value_is_named(self):
        cases = [(dict(batch=0), "--batch must be between 1 and 10000"),
                 (dict(memory_mb=100), "--memory must be between 128 and 10240"),
                 (dict(payload_bytes=128 * 1024 + 1), "--payload must be between 0 and 131072"),
                 (dict(batch=20, window_s=0), "--window must be at least 1 s when --batch is above 10"),
                 (dict(instances=0), "--instances must be between 1")]
        for change, message in cases:
            args = dict(instances=1, batch=10, memory_mb=512, payload_bytes=50) | change
            with self.subTest(change=change), self.assertRaisesRegex(model.ModelError, message):
                model.predict(**args)

    def test_results_without_the_cpu_share_are_refused(self):
        data = run_data()
        data["meta"]["limits"] = {"method": "none"}
        with ResultsDir(data, others=[data]) as d:
            with self.assertRaisesRegex(model.ModelError, "not measured under Lambda's CPU share"):
                model.predict(1, 10, 1024, 50, results_dir=d)


class Cli(unittest.TestCase):
    def run_cli(self, *args):
        return subprocess.run([sys.executable, str(CAPACITY), *args], capture_output=True, text=True, timeout=60)

    def test_predict_json_is_the_interface_the_load_run_reads(self):
        out = self.run_cli("predict", "--instances", "3", "--batch", "10", "--memory", "512", "--payload", "50",
                           "--rate", "300", "--json")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(out.stderr, "")
        p = json.loads(out.stdout)
        for key in ("msgPerSecond", "perInstanceMsgPerSecond", "latencyP50Ms", "latencyP99Ms", "tolerance",
                    "utilisation"):
            self.assertIsInstance(p[key], (int, float), key)
        for key in ("p50", "p99"):   # at half the capacity (no --rate) the latency is judged
            self.assertIsInstance(p["latencyTolerance"][key], (int, float), key)
        self.assertTrue(math.isclose(p["msgPerSecond"], 3 * p["perInstanceMsgPerSecond"], rel_tol=1e-3))

    def test_bad_input_is_one_line_on_stderr(self):
        out = self.run_cli("predict", "--instances", "1", "--batch", "20", "--memory", "512", "--payload", "50", "--window", "0")
        self.assertEqual(out.returncode, 2)
        self.assertEqual(out.stdout, "")
        self.assertTrue(out.stderr.startswith("error: --window must be at least 1 s"), out.stderr)


if __name__ == "__main__":
    unittest.main()
