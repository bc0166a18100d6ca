"""The latency model (latency.py) and the sweep file it reads (sweep.py): sweeps written here from a
curve whose parameters are known, so that the fit, the shape and the limits are checked against
numbers whose answer is known; and the committed sweep, read as `make capacity-report` reads it."""
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import latency
import model
import sweep

CAPACITY = Path(__file__).resolve().parents[1] / "capacity.py"
TRUTH = latency.Curve(10, 16.0, 0.85, {50: 20.0, 99: 35.0}, {50: 1.5, 99: 2.5}, {50: 0.6, 99: 0.9}, [], "truth")
FRACTIONS = (0.05, 0.15, 0.3, 0.5, 0.7, 0.8, 0.99)


def sweep_data(curve=TRUTH, fractions=FRACTIONS, repeats=2, spread=0.05, fmt=sweep.FORMAT):
    """A sweep as sweep.py writes it, its runs on `curve`; repeat r is (1 + (r-1)·spread) times slower."""
    runs = []
    for r in range(1, repeats + 1):
        for f in fractions:
            rate = round(curve.capacity * f)
            t = curve.parts(rate, 1)
            p50, p99 = curve.at(rate, 1)
            if p50 is None:  # past capacity: a backlog, latencies of seconds
                p50, p99 = 4000.0, 9000.0
            k = 1 + (r - 1) * spread
            row = {"p50Ms": round(p50 * k, 1), "p99Ms": round(p99 * k, 1), "meanBatch": round(t["batch"], 2),
                   "meanInvocationMs": round(t["invocationMs"], 2), "backlogAfterWarmup": 3 if f < 1 else 5 * rate}
            runs.append({"rate": rate, "fraction": f, "repeat": r, "rows": {"native-envelope": row, "native": row}})
    return {"meta": {"format": fmt, "batch": curve.batch_size, "command": "make latency-sweep", "memoryMb": 512},
            "runs": runs}


class SweepFile:
    """A sweep file and its latest pointer in a temporary directory."""

    def __init__(self, data):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = Path(self.tmp.name) / "latency-sweep-20260101T000000Z.json"
        self.path.write_text(json.dumps(data))

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self.tmp.cleanup()


class Queueing(unittest.TestCase):
    def test_erlang_c_known_values(self):
        self.assertAlmostEqual(latency.erlang_c(1, 0.7), 0.7)       # one server: the utilisation
        self.assertAlmostEqual(latency.erlang_c(2, 1.0), 1 / 3)     # M/M/2 at ρ = 0.5
        self.assertLess(latency.erlang_c(50, 25.0), 0.01)           # many servers at half load rarely queue

    def test_the_wait_is_nought_below_the_percentile_and_unbounded_at_capacity(self):
        self.assertEqual(latency.queue_wait_ms(0.4, 1, 400, 50), 0.0)   # C = 0.4: most messages never wait
        self.assertGreater(latency.queue_wait_ms(0.4, 1, 400, 99), 0.0)
        self.assertEqual(latency.queue_wait_ms(1.0, 1, 400, 99), math.inf)

    def test_the_wait_follows_kingman_in_heavy_traffic(self):
        # c = 1: mean ρ/(1 − ρ)·V/μ, p-th percentile θ·ln(ρ/(1 − p)) with θ = V/(μ(1 − ρ))
        rho, mu, v = 0.9, 400.0, 0.5
        theta = v * 1000 / (mu * (1 - rho))
        self.assertAlmostEqual(latency.queue_wait_ms(rho, 1, mu, 99, v), theta * math.log(rho / 0.01))


class Fit(unittest.TestCase):
    def test_the_fit_recovers_the_parameters_of_a_known_curve(self):
        c = latency.fit(sweep_data(spread=0.0), "t")
        self.assertAlmostEqual(c.a_ms, TRUTH.a_ms, places=1)
        self.assertAlmostEqual(c.b_ms, TRUTH.b_ms, places=2)
        for p in latency.PERCENTILES:
            with self.subTest(p=p):
                self.assertAlmostEqual(c.fixed_ms[p], TRUTH.fixed_ms[p], delta=0.5)
                self.assertAlmostEqual(c.hold[p], TRUTH.hold[p], delta=0.05)
                self.assertAlmostEqual(c.variability[p], TRUTH.variability[p], delta=0.05)

    def test_runs_past_capacity_give_the_batch_time_but_not_the_latency(self):
        c = latency.fit(sweep_data(), "t")
        self.assertNotIn(round(TRUTH.capacity * 0.99), {p.rate for p in c.fitted})
        self.assertIn(round(TRUTH.capacity * 0.99), {p.rate for p in c.points})
        self.assertTrue(any("not a steady-state latency" in n for n in c.notes))

    def test_runs_not_in_a_steady_state_are_left_out_of_the_latency_fit(self):
        data = sweep_data()
        slow = next(r for r in data["runs"] if r["fraction"] == 0.5 and r["repeat"] == 2)
        for row in slow["rows"].values():
            row.update(backlogAfterWarmup=3 * slow["rate"], p50Ms=4000.0, p99Ms=6000.0)
        c = latency.fit(data, "t")
        self.assertNotIn((slow["rate"], 2), {(p.rate, p.repeat) for p in c.fitted})
        self.assertIn((slow["rate"], 1), {(p.rate, p.repeat) for p in c.fitted})
        self.assertAlmostEqual(c.fixed_ms[50], TRUTH.fixed_ms[50], delta=1.5)
        # its 4-second latency is not the run-to-run spread
        self.assertTrue(all(t < 0.2 for b in c.bands for t in b.noise.values()), c.bands)
        self.assertTrue(any("not in a steady state" in n and f"{slow['rate']} msg/s repeat 2" in n for n in c.notes))

    def test_the_tolerance_is_the_spread_between_repeats_rounded_up(self):
        c = latency.fit(sweep_data(spread=0.07), "t")
        self.assertEqual([b.noise for b in c.bands], [{50: 0.10, 99: 0.10}] * 6)
        self.assertEqual(c.bands[0].tolerance, {p: round(0.10 + latency.MODEL_ALLOWANCE[p], 2) for p in latency.PERCENTILES})
        self.assertRegex(c.bands[0].basis[50], r"in 2 repeats at 20 msg/s \(ρ 0\.05\): [67]\.\d% apart")
        self.assertEqual(latency.fit(sweep_data(spread=0.0), "t").bands[0].noise, {50: 0.05, 99: 0.05})  # at least 0.05

    def test_each_percentile_and_utilisation_band_has_its_own_tolerance(self):
        data = sweep_data(spread=0.02)
        wide = next(r for r in data["runs"] if r["fraction"] == 0.7 and r["repeat"] == 2)
        row = wide["rows"]["native-envelope"]   # the rows of both shapes are one object here
        row["p99Ms"] = round(row["p99Ms"] * 1.6, 1)   # one stall in one repeat near capacity
        c = latency.fit(data, "t")

        def noise(rate, n=1):
            t = c.tolerance_at(rate, n)[0]
            return t["p50Noise"], t["p99Noise"]
        self.assertEqual(noise(0.6 * c.capacity), (0.05, 0.65))   # the band up to ρ 0.7
        self.assertEqual(noise(0.45 * c.capacity), (0.05, 0.05))  # below it: not widened
        self.assertEqual(noise(0.01 * c.capacity), (0.05, 0.05))  # the lowest band
        self.assertEqual(noise(1.2 * c.capacity, 2), (0.05, 0.65))  # N instances: ρ = rate / (N × μ)
        t = c.tolerance_at(0.6 * c.capacity)[0]
        self.assertEqual((t["p50"], t["p99"]), (round(0.05 + latency.MODEL_ALLOWANCE[50], 2), round(0.65 + latency.MODEL_ALLOWANCE[99], 2)))

    def test_past_the_judged_utilisation_nothing_is_judged(self):
        c = latency.fit(sweep_data(), "t")
        tol, why = c.tolerance_at(0.9 * c.capacity)
        self.assertIsNone(tol)
        self.assertIn("past 0.85", why)
        cut = latency.fit(sweep_data(fractions=(0.05, 0.15, 0.3, 0.5, 0.99)), "t")
        tol, why = cut.tolerance_at(0.7 * cut.capacity)
        self.assertIsNone(tol)
        self.assertIn("past the sweep's highest repeated rate below 0.85 (ρ 0.50)", why)

    def test_within_compares_each_percentile_with_its_tolerance(self):
        tol = {"p50": 0.1, "p99": 0.5}
        model = {"p50": 100.0, "p99": 200.0}
        self.assertEqual(latency.within({"p50": 109.0, "p99": 290.0}, model, tol), {"p50": True, "p99": True, "within": True})
        self.assertEqual(latency.within({"p50": 89.0, "p99": 290.0}, model, tol)["within"], False)
        self.assertEqual(latency.within({"p50": 100.0, "p99": 310.0}, model, tol), {"p50": True, "p99": False, "within": False})
        self.assertIsNone(latency.within({"p50": 1.0, "p99": 1.0}, model, None))
        self.assertIsNone(latency.within({"p50": 1.0, "p99": 1.0}, {"p50": None, "p99": None}, tol))

    def test_a_sweep_without_repeats_has_no_tolerance(self):
        with self.assertRaisesRegex(latency.LatencyError, "repeats no rate.*--repeats 2"):
            latency.fit(sweep_data(repeats=1), "t")

    def test_a_sweep_whose_batches_do_not_vary_is_refused(self):
        with self.assertRaisesRegex(latency.LatencyError, "do not vary enough.*--fractions"):
            latency.fit(sweep_data(fractions=(0.01, 0.02, 0.03)), "t")

    def test_too_few_rates_below_capacity(self):
        with self.assertRaisesRegex(latency.LatencyError, "fewer than 3 rates"):
            latency.fit(sweep_data(fractions=(0.05, 0.5, 0.99, 1.2)), "t")


class Shape(unittest.TestCase):
    c = latency.fit(sweep_data(), "t")

    def test_latency_rises_with_the_rate_and_p99_is_above_p50(self):
        rates = [self.c.capacity * f for f in (0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.95, 0.99)]
        lat = [self.c.at(r, 1) for r in rates]
        for (a50, a99), (b50, b99) in zip(lat, lat[1:]):
            self.assertLessEqual(a50, b50 + 1e-9)
            self.assertLessEqual(a99, b99 + 1e-9)
        self.assertTrue(all(p99 > p50 for p50, p99 in lat))

    def test_evenly_spaced_messages_wait_for_a_batch_only_once_batches_form(self):
        knee = 1000 / self.c.service_ms(1)      # one record's invocation per arrival interval
        below, above = self.c.parts(0.9 * knee, 1), self.c.parts(1.5 * knee, 1)
        self.assertAlmostEqual(below["busy"], 0.9, places=6)
        self.assertEqual((below[50]["batching"], below[99]["batching"]), (0.0, 0.0))
        self.assertAlmostEqual(above["busy"], 1.0, places=9)
        self.assertGreater(above["batch"], 1.0)
        for p in latency.PERCENTILES:
            self.assertAlmostEqual(above[p]["batching"], self.c.hold[p] * above["invocationMs"], places=6)

    def test_instances_sharing_a_queue_wait_for_each_other_below_the_knee(self):
        # 100 msg/s over 2 instances, 19.07 ms per record: the message before went to the same
        # instance (chance 1/2) 10 ms ago, which is still invoking for 9.07 ms; the median waits not
        self.assertEqual(latency.shared_queue_wait_ms(100, 2, 19.07, 50), 0.0)
        self.assertAlmostEqual(latency.shared_queue_wait_ms(100, 2, 19.07, 99), 9.07)
        # 200 msg/s over 4: the 1st, 2nd or 3rd message before (5, 10, 15 ms ago) with chance
        # 1/4, 3/16, 9/64 (0.58 in all): the median finds the 3rd, 4.07 ms left; p99 the 1st
        self.assertAlmostEqual(latency.shared_queue_wait_ms(200, 4, 19.07, 50), 4.07)
        self.assertAlmostEqual(latency.shared_queue_wait_ms(200, 4, 19.07, 99), 14.07)
        self.assertEqual(latency.shared_queue_wait_ms(40, 1, 19.07, 99), 0.0)   # one instance: evenly spaced
        self.assertEqual(latency.shared_queue_wait_ms(40, 4, 19.07, 99), 0.0)   # 25 ms apart: nobody is busy
        rate = 0.9 * 1000 / self.c.service_ms(1)        # below the knee for one instance...
        self.assertEqual(self.c.parts(rate, 1)[99]["sharing"], 0.0)
        self.assertGreater(self.c.parts(2 * rate, 2)[99]["sharing"], 0.0)   # ...but not alone on the queue
        self.assertEqual(self.c.parts(4 * rate / 0.6, 2)[99]["sharing"], 0.0)   # once batches form, the hold applies

    def test_p99_never_falls_below_p50(self):
        # this committed sweep's p99, fitted apart from p50, came out below it at 2 instances and 300 msg/s
        c = latency.curve(sweep.SWEEP_DIR / "latency-sweep-20261205T054705Z.json")
        for n in (1, 2, 4):
            for i in range(1, 98):
                p50, p99 = c.at(n * c.capacity * i / 100, n)
                self.assertGreaterEqual(p99, p50, f"{n} instances at ρ {i / 100}")

    def test_at_rho_to_nought_the_fixed_path_and_one_invocation(self):
        p50, p99 = self.c.at(1e-6, 1)
        self.assertAlmostEqual(p50, self.c.fixed_ms[50] + self.c.service_ms(1), places=3)
        self.assertAlmostEqual(p99, self.c.fixed_ms[99] + self.c.service_ms(1), places=3)

    def test_at_rho_to_one_it_grows_without_bound(self):
        near = [self.c.at(self.c.capacity * (1 - e), 1)[1] for e in (1e-2, 1e-3, 1e-4)]
        self.assertGreater(near[1], 5 * near[0])
        self.assertGreater(near[2], 5 * near[1])
        self.assertEqual(self.c.at(self.c.capacity, 1), (None, None))
        self.assertEqual(self.c.at(self.c.capacity * 1.5, 1), (None, None))

    def test_more_instances_at_the_same_rate_wait_less(self):
        rate = 0.9 * self.c.capacity
        one, four = self.c.at(rate, 1), self.c.at(rate, 4)
        self.assertLess(four[0], one[0])
        self.assertLess(four[1], one[1])
        # and N instances at N times the rate: the same utilisation, less queueing (pooled servers)
        self.assertLess(self.c.at(4 * rate, 4)[1], one[1])

    def test_the_batch_fills_with_the_rate(self):
        self.assertEqual(self.c.batch_at(1.0), 1.0)
        self.assertEqual(self.c.batch_at(self.c.capacity * 1.01), 10.0)
        k = self.c.batch_at(200.0)
        self.assertAlmostEqual(k, 200.0 * self.c.service_ms(k) / 1000, places=6)


class Files(unittest.TestCase):
    def test_a_sweep_file_is_read_by_its_path(self):
        with SweepFile(sweep_data()) as f:
            path, data = sweep.load(f)
            self.assertEqual(path, f)
            self.assertEqual(len(data["runs"]), 2 * len(FRACTIONS))

    def test_a_missing_file_names_the_command(self):
        with self.assertRaisesRegex(sweep.SweepError, "cannot read the latency sweep .*make latency-sweep"):
            sweep.load(Path("/nonexistent/latency-sweep-x.json"))

    def test_an_older_format_is_refused_with_the_fix(self):
        with SweepFile(sweep_data(fmt=0)) as f:
            with self.assertRaisesRegex(sweep.SweepError, "older harness; run `make latency-sweep` again"):
                sweep.load(f)

    def test_a_file_without_runs_is_refused(self):
        data = sweep_data()
        data["runs"] = []
        with SweepFile(data) as f:
            with self.assertRaisesRegex(sweep.SweepError, "has no runs"):
                sweep.load(f)

    def test_the_pointer_names_the_latest_file(self):
        with tempfile.TemporaryDirectory() as d:
            old = sweep.POINTER
            try:
                sweep.POINTER = Path(d) / "latency-sweep-latest.json"
                with self.assertRaisesRegex(sweep.SweepError, "does not exist; run `make latency-sweep`"):
                    sweep.resolve()
                sweep.POINTER.write_text("not json")
                with self.assertRaisesRegex(sweep.SweepError, "is not a pointer"):
                    sweep.resolve()
                sweep.POINTER.write_text(json.dumps({"latest": "latency-sweep-1.json"}))
                self.assertEqual(sweep.resolve(), Path(d) / "latency-sweep-1.json")
            finally:
                sweep.POINTER = old

    def test_the_command_line_reports_a_missing_sweep(self):
        r = subprocess.run([sys.executable, str(CAPACITY), "predict", "--instances", "1", "--sweep", "/nonexistent/s.json"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        self.assertIn("make latency-sweep", r.stderr)
        self.assertNotIn("Traceback", r.stderr)


class Predict(unittest.TestCase):
    def test_predict_takes_the_rate_and_says_the_utilisation(self):
        with SweepFile(sweep_data()) as f:
            c = latency.curve(f)
            p = model.predict(2, 10, 512, 50, rate=c.capacity, sweep_path=f)
            self.assertAlmostEqual(p.utilisation, 0.5)
            self.assertEqual((p.latency_p50_ms, p.latency_p99_ms), c.at(c.capacity, 2))
            j = p.as_json()
            for key in ("latencyP50Ms", "latencyP99Ms", "latencyTolerance", "utilisation", "pathPerInstanceMsgPerSecond",
                        "latencyRateMsgPerSecond", "latencyModel", "msgPerSecond", "tolerance"):
                self.assertIn(key, j)
            self.assertEqual(j["latencyTolerance"], c.tolerance_at(c.capacity, 2)[0])
            self.assertTrue(j["latencyJudged"])

    def test_past_capacity_the_latency_is_null_and_said(self):
        with SweepFile(sweep_data()) as f:
            c = latency.curve(f)
            p = model.predict(1, 10, 512, 50, rate=1.2 * c.capacity, sweep_path=f)
            self.assertIsNone(p.as_json()["latencyP50Ms"])
            self.assertTrue(any("no steady state" in a for a in p.assumptions))

    def test_without_a_rate_half_the_capacity(self):
        with SweepFile(sweep_data()) as f:
            p = model.predict(3, 10, 512, 50, sweep_path=f)
            self.assertAlmostEqual(p.utilisation, 0.5)
            self.assertTrue(any("no --rate" in a for a in p.assumptions))

    def test_the_window_adds_to_the_latency_and_is_said(self):
        with SweepFile(sweep_data()) as f:
            without = model.predict(1, 100, 512, 50, rate=100, window_s=1, sweep_path=f)
            longer = model.predict(1, 100, 512, 50, rate=100, window_s=3, sweep_path=f)
            self.assertAlmostEqual(longer.latency_p50_ms - without.latency_p50_ms, 2000.0)
            self.assertTrue(any("batching window (3 s)" in a for a in longer.assumptions))

    def test_the_command_line_passes_the_rate(self):
        with SweepFile(sweep_data()) as f:
            r = subprocess.run([sys.executable, str(CAPACITY), "predict", "--instances", "4", "--rate", "800",
                                "--sweep", str(f), "--json"], capture_output=True, text=True)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(json.loads(r.stdout)["latencyRateMsgPerSecond"], 800.0)


class CommittedSweep(unittest.TestCase):
    """The sweep the committed doc and the plan read: it must fit."""

    def test_the_committed_sweep_fits_and_is_the_latency_source(self):
        c = latency.curve()
        self.assertGreater(c.capacity, 0)
        self.assertTrue(c.bands)
        self.assertTrue(all(t >= 0.05 for b in c.bands for t in b.tolerance.values()))
        self.assertTrue(c.source.startswith("harness/results/analysis/latency-sweep-"))
        p = model.predict(1, 10, 512, 50)
        self.assertEqual(p.latency_model["source"], c.source)


if __name__ == "__main__":
    unittest.main()
