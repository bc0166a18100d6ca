"""The capacity plan and the prices it reads, against the committed results and docs/cost.md."""
import json
import math
import subprocess
import sys
import tempfile
import unittest
from pathlib import Path

import aws
import model
import plan
import prices

CAPACITY = Path(__file__).resolve().parents[1] / "capacity.py"


def cost_md_fixed_column():
    """docs/cost.md's own fixed charge per batch size (its main table, written by Cost.java)."""
    lines = [l for l in prices.COST_MD.read_text().splitlines() if l.startswith("|")]
    header = [c.strip() for c in lines[0].strip("|").split("|")]
    col, batch_col = next(i for i, h in enumerate(header) if h.startswith("fixed")), header.index("batch size")
    fixed = {}
    for line in lines[2:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != len(header):
            break
        fixed[int(cells[batch_col])] = float(cells[col].lstrip("$"))
    return fixed, "retained" in header[col]


class Prices(unittest.TestCase):
    def test_every_price_is_read_with_its_source(self):
        p = prices.load()
        self.assertEqual(set(p), set(prices.ITEMS))
        for key, price in p.items():
            self.assertGreater(price.usd, 0, key)
            self.assertTrue(price.source.startswith("https://aws.amazon.com/"), (key, price.source))

    def test_fixed_charges_agree_with_the_cost_page(self):
        fixed, retained = cost_md_fixed_column()
        self.assertTrue(fixed)
        for batch, usd in fixed.items():
            mine = sum(prices.fixed_per_million(prices.load(), batch, 50, 300, retained).values())
            self.assertAlmostEqual(mine, usd, places=2, msg=f"batch {batch}")

    def test_large_bodies_cost_more_requests_and_meters(self):
        self.assertEqual(prices.sqs_requests_per_message(10, 300), 1 + 2 / 10)
        # 70,000 bytes: SendMessage is 2 chunks, a receive of 10 returns 11 chunks
        self.assertAlmostEqual(prices.sqs_requests_per_message(10, 70_000), 2 + (11 + 1) / 10)
        self.assertEqual(prices.iot_meters(5 * 1024), 1)
        self.assertEqual(prices.iot_meters(5 * 1024 + 1), 2)

    def test_a_missing_or_changed_table_is_named(self):
        with tempfile.TemporaryDirectory() as d:
            f = Path(d) / "cost.md"
            f.write_text("# Cost\n")
            with self.assertRaisesRegex(prices.PriceError, "no '### Prices used' table"):
                prices.load(f)
            text = prices.COST_MD.read_text().replace("| $0.40 per million", "| 40 cents a million")
            f.write_text(text)
            with self.assertRaisesRegex(prices.PriceError, "SQS standard queue requests"):
                prices.load(f)


class StandardPlan(unittest.TestCase):
    p = plan.make(10000)

    def test_instances_are_sized_at_the_low_end_of_the_tolerance(self):
        one = self.p.one
        self.assertEqual(self.p.instances, math.ceil(10000 / (one.per_instance * (1 - one.tolerance))))
        self.assertGreater(self.p.instances, 10000 / one.per_instance)
        self.assertEqual(self.p.reserved, math.ceil(20000 / (one.per_instance * (1 - one.tolerance))))

    def test_settings_reach_the_rate(self):
        s = self.p.settings
        self.assertEqual(s["maximum_concurrency"], self.p.reserved)
        self.assertIsNone(s["provisioned_pollers"])
        self.assertEqual((s["batch_size"], s["maximum_batching_window_in_seconds"], s["memory_size"]), (10, 0.0, 512))
        self.assertEqual(s["record_log"], "failures")
        self.assertEqual(self.p.warnings, [])

    def test_scaling_from_idle_follows_the_documented_step(self):
        ramp = self.p.scaling[0]
        self.assertAlmostEqual(ramp.value, (self.p.instances - 5) / 300 * 60)
        self.assertEqual(ramp.source, aws.ESM_SQS_SCALING)

    def test_every_quota_and_cost_line_has_a_source(self):
        for q in self.p.quotas:
            self.assertTrue(q["url"].startswith("https://docs.aws.amazon.com/") or q["url"].startswith("https://aws.amazon.com/"), q)
        text = plan.render(self.p)
        for heading in ("Inputs", "Instances", "Event source mapping: standard mode", "Scaling from idle", "Quotas",
                        "End-to-end latency", "Cost per million", "Terraform inputs"):
            self.assertIn(heading, text)
        self.assertIn("harness/results/20261204T233320Z.json", text)
        self.assertIn("docs/cost.md", text)
        json.dumps(plan.as_json(self.p))

    def test_cost_adds_up(self):
        c = self.p.cost
        parts = ["Lambda duration (x86_64)", "Lambda requests", "CloudWatch Logs (record_log = failures)",
                 "SQS requests", "rule + SQS action", "iot-data Publish", "retained publish"]
        self.assertAlmostEqual(c["total x86_64, retained route"], sum(c[k] for k in parts))
        self.assertAlmostEqual(c["total x86_64, retained route"] - c["total x86_64, route without retain"], 1.0)


class ProvisionedPlan(unittest.TestCase):
    p = plan.make(10000, mode="provisioned")

    def test_pollers_come_from_the_per_poller_limits(self):
        pp = self.p.settings["provisioned_pollers"]
        # a receive returns at most 10 messages, a poller makes at most 10 polling calls a second
        self.assertEqual(pp["minimum"], 100)
        self.assertEqual(pp["maximum"], 200)
        self.assertIsNone(self.p.settings["maximum_concurrency"])

    def test_the_poller_charge_is_in_the_cost(self):
        epu = self.p.cost["provisioned pollers (EPU)"]
        self.assertAlmostEqual(epu, 100 * aws.EPU_HOUR_USD.value / (10000 * 3600 / 1e6))
        self.assertTrue(any("a month at the minimum" in n for n in self.p.cost_notes))

    def test_minimum_pollers_cover_the_rate_from_idle(self):
        self.assertEqual(self.p.scaling[0].value, 0)


class Limits(unittest.TestCase):
    def test_a_rate_beyond_standard_mode_says_so(self):
        p = plan.make(1_000_000)
        self.assertTrue(any("use MODE=provisioned" in w for w in p.warnings), p.warnings)
        self.assertTrue(any(w.startswith("AWS IoT Core: Inbound publish requests per second per account (source")
                            and w.endswith("request an increase in Service Quotas") for w in p.warnings), p.warnings)
        self.assertTrue(any(w.startswith("AWS Lambda: Concurrent executions") for w in p.warnings), p.warnings)

    def test_large_batches_of_large_payloads_exceed_the_invocation_payload(self):
        p = plan.make(1000, payload=128 * 1024, batch=100)
        self.assertTrue(any("invocation payload" in w for w in p.warnings), p.warnings)

    def test_bad_values_are_named(self):
        with self.assertRaisesRegex(model.ModelError, "MODE must be one of standard, provisioned"):
            plan.make(10000, mode="fast")
        with self.assertRaisesRegex(model.ModelError, "RATE must be between 1"):
            plan.make(0)
        with self.assertRaisesRegex(model.ModelError, "DRAIN must be between"):
            plan.make(10000, drain_rate=5000)


class Cli(unittest.TestCase):
    def test_plan_prints_and_json(self):
        out = subprocess.run([sys.executable, str(CAPACITY), "plan", "--rate", "10000", "--mode", "provisioned", "--json"],
                             capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertEqual(json.loads(out.stdout)["terraform"]["provisioned_pollers"], {"minimum": 100, "maximum": 200})


if __name__ == "__main__":
    unittest.main()
