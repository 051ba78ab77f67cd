"""Run the local SageMaker-compatible emulator in the foreground (Ctrl-C stops it).

Its first line on stderr is `jstui emulator: listening on http://HOST:PORT`, the address it bound
(`--port 0` picks a free port); its clock is driven with `POST /_emulator/clock`. Both are documented
in docs/emulator-control.md."""

from __future__ import annotations

import math
from pathlib import Path

from jstui.domain.errors import UsageError
from jstui.domain.limits import speed_problem


def _rate(text: str) -> float:
    import argparse

    try:
        v = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not 0.0 <= v <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not a probability between 0 and 1")
    return v


def add_arguments(parser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to bind (default 127.0.0.1; a non-loopback one needs --allow-remote)")
    parser.add_argument("--allow-remote", action="store_true",
                        help="allow a non-loopback --host (the emulator has no authentication)")
    parser.add_argument("--port", type=int, default=8181, help="port (default 8181; 0 picks a free one, named on the first "
                        "stderr line: 'jstui emulator: listening on URL')")
    parser.add_argument("--state", metavar="PATH", help="SQLite state file (default: JSTUI_HOME/emulator/state.sqlite)")
    parser.add_argument("--speed", type=float, help="simulated seconds per wall second (fixed per state; new state: 300)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the response surfaces' noise (default 7)")
    parser.add_argument("--noise", type=float, default=0.01, help="spread of the seeded noise; 0 = catalog figures")
    parser.add_argument("--catalog", metavar="FILE", action="append",
                        help="catalog CSV (repeatable; default: every shipped catalog)")
    parser.add_argument("--throttle-tps", type=float, metavar="N", help="per-operation request rate limit")
    parser.add_argument("--throttle-rate", type=_rate, default=0.0, metavar="P", help="share of calls throttled")
    parser.add_argument("--error-rate", type=_rate, default=0.0, metavar="P", help="share of calls answered HTTP 500")
    parser.add_argument("--fail-rate", type=_rate, default=0.0, metavar="P", help="share of training jobs that fail")
    parser.add_argument("--tag-lag", type=float, default=0.0, metavar="S",
                        help="simulated seconds a new resource's tags stay invisible to ListTags (default 0)")
    parser.add_argument("--max-tuning-jobs", type=int, default=100, metavar="N",
                        help="concurrent tuning jobs per account (default 100)")
    # The real service's costs (docs/performance.md states the assumed figures --real-service uses).
    parser.add_argument("--real-service", action="store_true",
                        help="answer like SageMaker seen from a laptop: assumed latency, per-operation rate limits "
                             "and Search lag (each overridable by the flags below)")
    parser.add_argument("--latency-ms", type=float, metavar="MS", help="added wall-clock latency per call")
    parser.add_argument("--jitter-ms", type=float, metavar="MS", help="uniform jitter (+/-) on that latency")
    parser.add_argument("--rate-limit", action="append", metavar="OPERATION=TPS",
                        help="requests per second for one operation (repeatable), e.g. Search=5")
    parser.add_argument("--search-lag", type=float, metavar="S", help="simulated seconds Search results trail Describe")
    parser.add_argument("--deny", action="append", metavar="OPERATION",
                        help="answer this operation AccessDeniedException (repeatable), e.g. Search")


def run(args) -> int:
    from jstui.emulator.faults import FaultSettings, real_service
    from jstui.emulator.server import serve

    if not 0 <= args.port <= 65535:
        raise UsageError(f"emulator: --port {args.port} is not a port number")
    if args.speed is not None and (problem := speed_problem(args.speed)):
        raise UsageError(f"emulator: --speed {problem}")
    if not math.isfinite(args.noise) or args.noise < 0:
        raise UsageError(f"emulator: --noise must be a finite number >= 0, not {args.noise:g}")
    if args.throttle_tps is not None and not (0 < args.throttle_tps < math.inf):
        raise UsageError(f"emulator: --throttle-tps must be > 0, not {args.throttle_tps:g}")
    if args.max_tuning_jobs < 1:
        raise UsageError(f"emulator: --max-tuning-jobs must be >= 1, not {args.max_tuning_jobs}")
    if not 0 <= args.tag_lag <= 86400:  # also refuses nan and inf
        raise UsageError(f"emulator: --tag-lag must be between 0 and 86400 seconds, not {args.tag_lag:g}")
    state = Path(args.state).expanduser() if args.state else Path(args.home) / "emulator" / "state.sqlite"
    catalogs = [Path(c).expanduser() for c in args.catalog] if args.catalog else None
    faults = real_service() if args.real_service else FaultSettings()
    faults.throttle_tps = args.throttle_tps
    faults.throttle_rate = args.throttle_rate
    faults.error_rate = args.error_rate
    faults.fail_rate = args.fail_rate
    faults.max_tuning_jobs = args.max_tuning_jobs
    faults.tag_lag_s = args.tag_lag
    for flag, key, value in (("--latency-ms", "latency_ms", args.latency_ms), ("--jitter-ms", "jitter_ms", args.jitter_ms),
                             ("--search-lag", "search_lag_s", args.search_lag)):
        if value is not None:
            if not 0 <= value < float("inf"):  # also refuses nan
                raise UsageError(f"emulator: {flag} must be a number >= 0, not {value:g}")
            setattr(faults, key, value)
    for item in args.rate_limit or []:
        op, sep, tps = item.partition("=")
        try:
            rate = float(tps)
        except ValueError:
            rate = -1.0
        if not sep or not op or not 0 < rate < float("inf"):
            raise UsageError(f"emulator: --rate-limit {item!r}: give OPERATION=TPS with TPS > 0, e.g. Search=5")
        faults.rate_limits[op] = rate
    faults.denied = frozenset(args.deny or ())
    return serve(args.host, args.port, state, catalogs, args.speed, args.seed, args.noise, faults,
                 allow_remote=args.allow_remote)
