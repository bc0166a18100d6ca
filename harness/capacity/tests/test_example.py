"""terraform/examples/high-throughput takes its destination module inputs from the plan: this
fails when the example and `make capacity RATE=10000 MODE=provisioned` drift apart."""
import re
import unittest

import plan
import results

EXAMPLE = results.REPO / "terraform" / "examples" / "high-throughput" / "main.tf"


def hcl_value(text):
    text = text.strip()
    if text == "null":
        return None
    if text.startswith('"'):
        return text.strip('"')
    if text.startswith("{"):
        return {k: hcl_value(v) for k, v in re.findall(r"(\w+)\s*=\s*([^,}]+)", text)}
    return float(text) if "." in text else int(text)


def example_inputs():
    text = EXAMPLE.read_text()
    block = re.search(r"# BEGIN make capacity RATE=(\d+) MODE=(\w+)\n(.*?)# END make capacity", text, re.S)
    if not block:
        raise AssertionError(f"{EXAMPLE} has no '# BEGIN make capacity RATE=… MODE=…' … '# END make capacity' block")
    rate, mode, body = int(block.group(1)), block.group(2), block.group(3)
    values = dict((k, hcl_value(v)) for k, v in re.findall(r"^\s{4}(\w+)\s*=\s*(.+)$", body, re.M))
    return rate, mode, values


class Example(unittest.TestCase):
    def test_the_example_has_the_plans_inputs(self):
        rate, mode, values = example_inputs()
        self.assertEqual((rate, mode), (10000, "provisioned"))
        self.assertEqual(values, plan.make(rate, mode=mode).settings)

    def test_the_parser_reads_what_the_example_writes(self):
        self.assertEqual(hcl_value('{ minimum = 100, maximum = 200 }'), {"minimum": 100, "maximum": 200})
        self.assertEqual((hcl_value("null"), hcl_value('"failures"'), hcl_value("0")), (None, "failures", 0))


if __name__ == "__main__":
    unittest.main()
