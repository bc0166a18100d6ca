#!/usr/bin/env python3
"""The local stack and Terraform must be driven by the same routes (docs/interfaces.md#routes).

Compares the `routes` of terraform/terraform.tfvars.example with those of
local/bridge.local.json, after filling in the defaults both sides apply. Runs with the
python of lint.sh's checkov venv, whose HCL parser (python-hcl2, a checkov dependency)
reads the tfvars file.
"""
import json
import pathlib
import sys

import hcl2

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEFAULTS = {"condition": "", "strip_prefix": "", "add_prefix": "", "qos": 1, "retain": False}


def normalised(routes):
    # python-hcl2 may wrap a list attribute in one more list.
    if len(routes) == 1 and isinstance(routes[0], list):
        routes = routes[0]
    out = []
    for r in routes:
        full = {**DEFAULTS, **{k: v for k, v in r.items() if v is not None}}
        out.append({k: full[k] for k in ["name", "source_filter", *DEFAULTS]})
    return sorted(out, key=lambda r: r["name"])


tfvars = ROOT / "terraform/terraform.tfvars.example"
local = ROOT / "local/bridge.local.json"
with tfvars.open() as f:
    terraform_routes = normalised(hcl2.load(f)["routes"])
local_routes = normalised(json.loads(local.read_text())["routes"])

if terraform_routes != local_routes:
    print(f"routes differ between {tfvars.relative_to(ROOT)} and {local.relative_to(ROOT)}:")
    print(f"  terraform: {json.dumps(terraform_routes)}")
    print(f"  local:     {json.dumps(local_routes)}")
    print("keep the two lists equal: the same routes drive Terraform and the local stack")
    sys.exit(1)
print(f"routes match: {', '.join(r['name'] for r in local_routes)}")
