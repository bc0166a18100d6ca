"""Dependency-graph test of the root configuration: no window where the topic
rules exist before the destination admits them.

  terraform -chdir=terraform graph -type=plan | python3 terraform/tests/graph_order.py

Reads Terraform's DOT graph on stdin and checks that every node in MUST_WAIT
reaches (depends on, directly or not) each of its targets, and that no node in
MUST_NOT_WAIT does (the destination never waits for the source: no cycle, and
either account can be applied alone). Exit status 1 names every broken edge.
"""

import re
import sys
from collections import defaultdict

# (dependent, dependency): the dependent is created only after the dependency.
MUST_WAIT = [
    # A rule sends to the queue as soon as it exists: the queue policy must admit its role first.
    ("module.source.aws_iot_topic_rule.route", "module.destination.aws_sqs_queue_policy.main"),
    # ... and, with a customer managed key, the key policy (part of aws_kms_key) too.
    ("module.source.aws_iot_topic_rule.route", "module.destination.aws_kms_key.queue"),
    # The rule role's own grant names the queue and key from the same outputs.
    ("module.source.aws_iam_role_policy.rule", "module.destination.aws_sqs_queue_policy.main"),
]
MUST_NOT_WAIT = [
    ("module.destination.aws_sqs_queue_policy.main", "module.source.aws_iam_role.rule"),
    ("module.destination.aws_kms_key.queue", "module.source.aws_iam_role.rule"),
]

# Node names without "[root] " and " (expand)"; "module.x (close)" and
# "var.y (validation)" stay distinct nodes, as Terraform has them.
EDGE = re.compile(r'^\s*"\[root\] ([^"]+?)(?: \(expand\))?"\s*->\s*"\[root\] ([^"]+?)(?: \(expand\))?"')


def read_graph(text: str) -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        m = EDGE.match(line)
        if m:
            edges[m.group(1)].add(m.group(2))
    return edges


def reaches(edges: dict[str, set[str]], start: str, goal: str) -> bool:
    seen, todo = set(), [start]
    while todo:
        node = todo.pop()
        if node == goal:
            return True
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return False


def main() -> int:
    edges = read_graph(sys.stdin.read())
    if not edges:
        print("graph_order: no edges read (expected `terraform graph -type=plan` output on stdin)")
        return 1
    failed = 0
    for dependent, dependency in MUST_WAIT:
        for node in (dependent, dependency):
            if node not in edges and not any(node in deps for deps in edges.values()):
                print(f"  FAIL  {node} is not in the graph")
                failed += 1
        ok = reaches(edges, dependent, dependency)
        print(f"  {'ok   ' if ok else 'FAIL '} {dependent} waits for {dependency}")
        failed += not ok
    for dependent, dependency in MUST_NOT_WAIT:
        ok = not reaches(edges, dependent, dependency)
        print(f"  {'ok   ' if ok else 'FAIL '} {dependent} does not wait for {dependency}")
        failed += not ok
    total = len(MUST_WAIT) + len(MUST_NOT_WAIT)
    print(f"graph_order: {total - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
