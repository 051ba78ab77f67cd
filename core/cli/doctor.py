"""Check a study against its account before anything is launched (the preflight, docs/doctor.md).

    jstui doctor STUDY            one line per check: ✓ ok, ✗ failed (with the fix), ? not verified, – not applicable
    jstui doctor STUDY --json     the same as a JSON list
    jstui doctor STUDY --strict   a ? fails the preflight too

Exit codes: 0 no check failed; 8 at least one ✗ (with --strict: or a ?); 2 the study file is invalid;
3 no credentials at all / the emulator or endpoint is unreachable."""

from __future__ import annotations

import json
import sys
from typing import Any

from jstui.domain.exitcodes import ExitCode


def add_arguments(parser) -> None:
    parser.add_argument("study", nargs="?", metavar="STUDY", help="study file or journal name (default: the last opened)")
    parser.add_argument("--json", action="store_true", help="the checks as a JSON list instead of lines")
    parser.add_argument("--strict", action="store_true", help="a check that could not be verified (?) fails too")


def _inputs(study: Any, home: Any, region_source: str) -> Any:
    from jstui.aws import jumpstart
    from jstui.aws.preflight import Inputs
    from jstui.domain.errors import JstuiError
    from jstui.domain.prices import load_price_table
    from jstui.engine.deployments import BUILTIN_INFERENCE_INSTANCE
    from jstui.engine.session import LOG_GROUP

    region = study.region
    offline = study.emulator.jumpstart_metadata if study.backend == "emulator" else None
    cache: dict[str, Any] = {}

    def lookup(candidate: Any) -> Any:
        if candidate.name not in cache:
            try:
                cache[candidate.name] = jumpstart.lookup(
                    candidate.model_id or "", candidate.model_version or "*", region=region, offline_dir=offline,
                    instance_type=candidate.resources.instance_type,
                )
            except JstuiError as exc:
                cache[candidate.name] = exc
        found = cache[candidate.name]
        if isinstance(found, Exception):
            raise found
        return found

    hosting: dict[str, str] = {}
    for c in study.candidates:
        if not c.model_id:
            hosting[c.name] = BUILTIN_INFERENCE_INSTANCE
            continue
        try:
            hosting[c.name] = lookup(c).default_inference_instance_type or BUILTIN_INFERENCE_INSTANCE
        except JstuiError:
            pass  # the JumpStart check reports it
    return Inputs(
        study=study,
        channels=dict(study.data),
        prices=load_price_table(home),
        hosting_instance_types=hosting,
        jumpstart_lookup=lookup,
        log_group=LOG_GROUP,
        region_source=region_source,
    )


def exit_code(checks: list, strict: bool) -> int:
    from jstui.aws.preflight import FAIL, UNKNOWN

    bad = any(c.result == FAIL and not c.optional for c in checks)
    if strict:
        bad = bad or any(c.result == UNKNOWN for c in checks)
    return int(ExitCode.PREFLIGHT if bad else ExitCode.OK)


def run(args) -> int:
    from dataclasses import replace

    from jstui.aws.clients import make_clients
    from jstui.aws.preflight import Preflight, format_check, safe, summary
    from jstui.engine.session import load, resolve_study

    study = load(resolve_study(args.study, args.home))
    region_source = "--region" if args.region else "the study"
    if args.region:
        study = replace(study, region=args.region)
    clients = make_clients(study, args.home, endpoint_url=args.endpoint_url, region=args.region, profile=args.profile,
                           max_attempts=3)
    try:
        checks = Preflight(clients, _inputs(study, args.home, region_source)).run()
    finally:
        clients.close()
    if args.json:
        doc = [{"check": c.name, "result": c.result, "detail": c.detail, "fix": c.fix or None, "optional": c.optional}
               for c in checks]
        print(json.dumps({"study": study.name, "backend": study.backend, "region": study.region, "checks": doc}, indent=1))
    else:
        print(f"jstui doctor {safe(study.name)} · {study.backend} {study.region}")
        for c in checks:
            print(format_check(c))
        print(summary(checks))
    code = exit_code(checks, args.strict)
    if code and not args.json:
        print(f"jstui: doctor: the preflight found problems (exit {code})", file=sys.stderr)
    return code
