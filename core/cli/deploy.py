"""`jstui deploy STUDY MODEL`: put a candidate's best training job behind an endpoint.

Without --yes it prints what it would create and its $/hour, and creates nothing. With --yes it
creates the Model, EndpointConfig and Endpoint (each step journaled), waits for InService (unless
--no-wait), sends the sample image once and prints the endpoint's name on stdout. An endpoint that
ends Failed exits 5 with its FailureReason. A deploy interrupted earlier is resumed, not repeated."""

from __future__ import annotations

import sys

from jstui.aws import hosting
from jstui.domain import endpoints
from jstui.domain.errors import JobFailed, UsageError
from jstui.engine import deployments as deploying


def add_arguments(parser) -> None:
    parser.add_argument("study", metavar="STUDY", help="study file or journal name")
    parser.add_argument("model", metavar="MODEL", help="candidate name, a unique part of it, or a training job name")
    parser.add_argument("--instance-type", metavar="T", help="hosting instance type (default: the model's own)")
    parser.add_argument("--count", metavar="N", type=int, default=1, help="instance count (default 1)")
    parser.add_argument("--name", metavar="NAME", help="endpoint name (default: <study>-<candidate>)")
    parser.add_argument("--yes", action="store_true", help="create it (without: show what would be created)")
    parser.add_argument("--no-wait", action="store_true", help="return once the endpoint is being created")


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def run(args) -> int:
    from jstui.engine.session import open_session

    if args.count < 1:
        raise UsageError(f"--count must be at least 1, not {args.count}")
    if args.name is not None and (problem := endpoints.endpoint_name_problem(args.name)):
        raise UsageError(f"--name: {problem}")
    if args.readonly and args.yes:
        raise UsageError("--readonly: not allowed to deploy")
    # The session only looks (readonly: a deploy must not launch queued candidates on the way);
    # the hosting calls below are this command's own.
    with open_session(args, args.study, readonly=True) as session:
        study = session.study
        session.refresh(strict=True)
        candidate = session.find_candidate(args.model)
        resumed = _resume_for(session, candidate, args.name) if args.yes else None
        if resumed is not None:
            _say(f"resuming the interrupted deploy of {candidate} to endpoint {resumed.endpoint_name}")
            req = resumed
        else:
            req = deploying.plan_deploy(session, candidate, args.name, args.instance_type, args.count)
        rate = session.hosting_usd_per_hour(req.instance_type, req.instance_count)
        price = f"${rate:,.2f}/hour" if rate is not None else "price unknown"
        _say(f"endpoint {req.endpoint_name}: {candidate} (training job {req.training_job_name}) on "
             f"{req.instance_count} × {req.instance_type}, {price} while it runs")
        if not args.yes:
            _say("nothing created; add --yes to deploy")
            return 0
        if resumed is None:
            hosting.start_deploy(session.clients.sagemaker, session.journal, req)
        if args.no_wait:
            _say(f"endpoint {req.endpoint_name} is being created; follow it with `jstui endpoints {study.name}`")
            print(req.endpoint_name)
            return 0
        status = deploying.wait(session, req.endpoint_name, on_status=lambda st: _say(f"endpoint {st.name}: {st.status}"))
        if status.status != "InService":
            raise JobFailed(f"endpoint {req.endpoint_name} ended {status.status}: "
                            f"{status.failure_reason or 'no reason given'}")
        _say(f"sample image → {deploying.smoke_invoke(session, req.endpoint_name)}")
        _say(f"delete it when done: jstui endpoints {study.name} --delete {req.endpoint_name} --yes")
        print(req.endpoint_name)
    return 0


def _resume_for(session, candidate: str, name: str | None):
    """An interrupted deploy of this candidate (of this name, if one was given), finished now."""
    for rec in session.journal.endpoints(session.study.name):
        if rec["state"] in endpoints.STEPS[:-1] and rec.get("candidate") == candidate and (name in (None, rec["name"])):
            return hosting.resume_deploy(session.clients.sagemaker, session.journal, session.study.name, rec["name"])
    return None
