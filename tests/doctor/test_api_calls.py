"""The preflight simulates every API action jstui calls; its list (`preflight.API_CALLS`) must be the
calls the code really makes. This derives them from the source: every botocore client method name of
the services jstui talks to (botocore's own service models say which names those are) that appears
in jstui's code as an attribute (`sm.create_model(...)`, `service_call(sm.list_endpoints, ...)`) or
as a paginator name (`get_paginator("get_products")`)."""

from __future__ import annotations

import re
from pathlib import Path

import boto3

import jstui
from jstui.aws.preflight import API_CALLS

SERVICES = ("sagemaker", "sagemaker-runtime", "logs", "pricing")
# The layers that hold clients: aws, engine, cli. The domain and study layers are pure and the TUI
# never calls boto3 (none of them imports it: asserted below); the emulator implements the API rather
# than calling it; the preflight makes its own, separate calls.
SCANNED = ("aws/", "engine/", "cli/")
EXCLUDE = ("aws/preflight.py",)
PURE = ("domain/", "study/", "tui/")


def _calls_in_code() -> set[tuple[str, str]]:
    methods: dict[str, set[tuple[str, str]]] = {}
    for svc in SERVICES:
        client = boto3.client(svc, region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
        for method, op in client.meta.method_to_api_mapping.items():
            methods.setdefault(method, set()).add((svc, op))
    root = Path(jstui.__file__).parent
    found: set[tuple[str, str]] = set()
    for path in root.rglob("*.py"):
        rel = path.relative_to(root).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel.startswith(PURE):
            assert not re.search(r"^\s*(import boto3|from boto3|import botocore|from botocore)", text, re.M), rel
        if not rel.startswith(SCANNED) or rel.startswith(EXCLUDE):
            continue
        # (`re.search` is the regex module's, not SageMaker's Search)
        names = set(re.findall(r"(?<!\bre)\.([a-z_]+)\b", text)) | set(re.findall(r"get_paginator\(\"([a-z_]+)\"\)", text))
        for name in names:
            found |= methods.get(name, set())
    return found


def test_the_preflight_simulates_exactly_the_calls_the_code_makes():
    listed = {(svc, op) for svc, op, _, _ in API_CALLS}
    in_code = _calls_in_code()
    assert in_code - listed == set(), "calls the preflight does not check"
    assert listed - in_code == set(), "calls the preflight checks that jstui no longer makes"


def test_readme_names_every_action_the_identity_needs():
    """README's "IAM actions jstui calls" table is what a newcomer grants: it must name every call."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    table = readme[readme.index("**IAM actions jstui calls**"):]
    table = table[: table.index("\n\n", table.index("| service"))]
    named = set(re.findall(r"`([A-Za-z]+)`", table))
    missing = sorted({op for _, op, _, _ in API_CALLS} - named)
    assert not missing, f"README's IAM table leaves out {missing}"
