"""docs/capacity.md's generated parts: markers, the model-vs-measured table from a load run as
`make load` writes it (harness/src/main/java/dev/iotbridge/harness/load/Load.java, Model.java)."""
import json
import tempfile
import unittest
from pathlib import Path

import latency
import report
from test_latency import SweepFile, sweep_data

DOC = """# Capacity
prose before
<!-- BEGIN capacity-report: inputs -->
old
<!-- END capacity-report: inputs -->
middle prose
<!-- BEGIN capacity-report: sweep -->
<!-- END capacity-report: sweep -->
<!-- BEGIN capacity-report: plan -->
<!-- END capacity-report: plan -->
<!-- BEGIN capacity-report: measured -->
stale
<!-- END capacity-report: measured -->
prose after
"""


def step(n, offered, delivered, keeps, machine=False):
    return {"instances": n, "offeredMsgPerSecond": offered, "deliveredMsgPerSecond": delivered, "keepsUp": keeps,
            "machineLimited": machine, "p50Ms": 70.0, "p99Ms": 90.0, "lost": 0, "machineBusyPercent": 55.0}


def point(n, offered, delivered, predicted, keeps, machine=False, within=True):
    p = {"instances": n, "offeredMsgPerSecond": offered, "deliveredMsgPerSecond": delivered,
         "predictedMsgPerSecond": predicted, "tolerance": 0.2, "machineLimited": machine,
         "ratio": round((offered if keeps else delivered) / predicted, 3),
         "withinTolerance": None if machine else within}
    if keeps:
        p.update(predictedP50Ms=68.9, predictedP99Ms=83.0)
    return p


LOAD = {
    "meta": {"date": "2026-12-05T02:40:00Z", "command": "make load", "function": "native", "batchSize": 10,
             "memoryMb": 512, "payloadBytes": 50},
    "steps": [step(1, 300, 300, True), step(1, 600, 455, False), step(4, 2000, 1100, False, machine=True)],
    "model": {"available": True, "command": "python3 harness/capacity/capacity.py predict --instances N ...",
              "judged": 2, "withinTolerance": 2,
              "points": [point(1, 300, 300, 473, True), point(1, 600, 455, 473, False),
                         point(4, 2000, 1100, 1892, False, machine=True)]},
}


class Parts(unittest.TestCase):
    def test_a_part_is_replaced_whole_and_the_prose_kept(self):
        text = report.replace_part(DOC, "inputs", "new table")
        self.assertIn("<!-- BEGIN capacity-report: inputs -->\nnew table\n<!-- END capacity-report: inputs -->", text)
        self.assertNotIn("old", text)
        for prose in ("prose before", "middle prose", "prose after"):
            self.assertIn(prose, text)
        self.assertEqual(report.replace_part(text, "inputs", "new table"), text)

    def test_a_missing_marker_is_named(self):
        with self.assertRaisesRegex(report.ReportError, "BEGIN capacity-report: chart"):
            report.replace_part(DOC, "chart", "x")


class Measured(unittest.TestCase):
    def setUp(self):
        self.sweep = SweepFile(sweep_data())
        self.sweep_path = self.sweep.__enter__()
        self.curve = latency.curve(self.sweep_path)

    def tearDown(self):
        self.sweep.__exit__(None, None, None)

    def test_each_step_becomes_a_row_with_its_verdicts(self):
        text = report.measured_part(LOAD, "harness/results/load/latest.json", sweep_path=self.sweep_path)
        rows = [l for l in text.splitlines() if l.startswith("| 1 ") or l.startswith("| 4 ")]
        self.assertEqual(len(rows), 3)
        p50, p99 = self.curve.at(300, 1)
        rho = 300 / self.curve.capacity
        tol = self.curve.tolerance_at(300)[0]
        self.assertIn(f"| 300 | 300 | yes | 473 | 0.634 | {rho:.2f} | 70.0 / {p50:.1f} | 90.0 / {p99:.1f} | "
                      f"±{tol['p50']:.0%} / ±{tol['p99']:.0%} | 0 |", rows[0])
        self.assertIn("| within tolerance | ", rows[0])
        self.assertIn("| 600 | 455 | no | 473 | 0.962 |", rows[1])
        self.assertIn("– (fell behind: no steady state)", rows[1])
        self.assertIn("machine was the limit (not judged)", rows[2])
        self.assertIn("2 of 2 judged steps within it", text)
        self.assertNotIn("per instance from CPU", text)

    def test_latency_is_judged_with_the_sweeps_tolerance_at_the_steps_rate(self):
        p50, p99 = self.curve.at(300, 1)
        tol = self.curve.tolerance_at(300)[0]["p99"]
        data = json.loads(json.dumps(LOAD))
        for factor, expected in ((1 + tol * 0.9, "within tolerance"), (1 + tol * 1.1, "**outside tolerance: p99**")):
            data["steps"][0].update(p50Ms=round(p50, 1), p99Ms=round(p99 * factor, 1))
            v = report.latency_verdicts(data, self.sweep_path)[0]
            self.assertEqual(v["text"], expected, factor)
        self.assertEqual(v["tolerance"], self.curve.tolerance_at(300)[0])
        self.assertIsNone(report.latency_verdicts(data, self.sweep_path)[2]["verdict"])  # the machine was the limit

    def test_a_step_past_the_paths_capacity_has_no_model_latency(self):
        data = json.loads(json.dumps(LOAD))
        data["steps"][0]["offeredMsgPerSecond"] = round(self.curve.capacity * 1.1)
        v = report.latency_verdicts(data, self.sweep_path)[0]
        self.assertIsNone(v["p50"])
        self.assertIsNone(v["verdict"])   # past the judged utilisation: the throughput comparison tests the capacity
        self.assertIn("not judged (no tolerance at ρ 1.10)", v["text"])
        self.assertIn("/ ∞ |", report.measured_part(data, "x.json", sweep_path=self.sweep_path))

    def test_the_cpu_projection_gets_a_column_when_the_run_has_it(self):
        data = json.loads(json.dumps(LOAD))
        data["model"].update(cpuProjectedJudged=1, cpuProjectedWithinTolerance=1)
        data["model"]["points"][1].update(cpuProjectedPerInstanceMsgPerSecond=460.0, predictedPerInstanceMsgPerSecond=473)
        with SweepFile(sweep_data()) as f:
            text = report.measured_part(data, "x.json", sweep_path=f)
        self.assertIn("per instance from CPU / model", text)
        self.assertIn("| 460.0 / 473 |", text)
        self.assertIn("within the tolerance of the model in 1 of 1 steps", text)

    def test_steps_and_points_must_pair(self):
        broken = json.loads(json.dumps(LOAD))
        broken["model"]["points"].pop()
        with self.assertRaisesRegex(report.ReportError, "3 steps but 2 model points"):
            report.measured_part(broken, "x.json", sweep_path="unused.json")

    def test_a_run_without_the_model_is_refused(self):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "latest.json"
            f.write_text(json.dumps({**LOAD, "model": {"available": False}}))
            with self.assertRaisesRegex(report.ReportError, "no steps or no model comparison"):
                report.load_run(f)


class Write(unittest.TestCase):
    def test_the_doc_gets_inputs_plans_and_the_load_run(self):
        with tempfile.TemporaryDirectory() as d:
            doc, load = Path(d) / "capacity.md", Path(d) / "latest.json"
            doc.write_text(DOC)
            load.write_text(json.dumps(LOAD))
            with SweepFile(sweep_data()) as f:
                report.write(doc=doc, load=load, sweep_path=f)
            text = doc.read_text()
        self.assertIn("harness/results/20261204T233320Z.json", text)
        self.assertIn("make capacity RATE=10000", text)
        self.assertIn("provisioned_pollers = { minimum = 100, maximum = 200 }", text)
        self.assertIn("| 600 | 455 | no |", text)
        self.assertNotIn("stale", text)

    def test_without_a_load_run_the_doc_says_so(self):
        with tempfile.TemporaryDirectory() as d:
            doc = Path(d) / "capacity.md"
            doc.write_text(DOC)
            with SweepFile(sweep_data()) as f:
                report.write(doc=doc, load=Path(d) / "missing.json", sweep_path=f)
            self.assertIn("No load run yet", doc.read_text())


class CommittedDoc(unittest.TestCase):
    def test_the_committed_doc_has_the_current_inputs_and_plans(self):
        text = report.DOC.read_text()
        for name, body in (("inputs", report.inputs_part()), ("sweep", report.sweep_part()), ("plan", report.plans_part())):
            with self.subTest(part=name):
                self.assertEqual(report.replace_part(text, name, body), text,
                                 f"docs/capacity.md's '{name}' part is out of date: run make capacity-report")


if __name__ == "__main__":
    unittest.main()
