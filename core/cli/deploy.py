"""`jstui deploy STUDY MODEL`: put a candidate's best training job behind an endpoint.

Without --yes it prints what it would create and its $/hour, and creates nothing. With --yes it
creates the Model, EndpointConfig and Endpoint (each step journaled), waits for InService (unless
--no-wait), sends the sample image once and prints the endpoint's name on stdout. An endpoint that
ends Failed exits 5 with its FailureReason. Deploying a candidate again never makes a second endpoint
for it: a deploy interrupted earlier (Ctrl-C, kill -9, at any step) is resumed, and an endpoint of the
candidate that already exists (Creating or InService) is followed and reported. Only an explicit
--name other than its endpoint's makes another one."""

from __future__ import annotations

import sys

from jstui.aws import hosting
from jstui.domain import endpoints
from jstui.domain.errors import JobFailed, UsageError
from jstui.domain.textfmt import printable
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
    print(printable(text), file=sys.stderr, flush=True)  # names, statuses and answers from the service


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
        live = deploying.live_deployment(session, candidate, args.name, repair=args.yes)
        resumed = None
        if live is not None:
            what = (f"the interrupted deploy of {candidate} to endpoint {live['name']}"
                    if live["state"] in endpoints.STEPS[:-1] else
                    f"endpoint {live['name']} of {candidate}, already {live.get('status', 'created')}")
            if args.instance_type or args.count != 1:
                _say(f"{what} keeps its instances; --name another endpoint to deploy with others")
            if not args.yes:
                _say(f"{what}: --yes resumes it (nothing new is created)")
                return 0
            _say(f"resuming {what}" if live["state"] in endpoints.STEPS[:-1] else f"following {what}")
            resumed = req = deploying.resume_or_adopt(session, live)
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
            print(printable(req.endpoint_name))
            return 0
        status = deploying.wait(session, req.endpoint_name, on_status=lambda st: _say(f"endpoint {st.name}: {st.status}"))
        if status.status != "InService":
            raise JobFailed(f"endpoint {req.endpoint_name} ended {status.status}: "
                            f"{status.failure_reason or 'no reason given'}")
        _say(f"sample image → {deploying.smoke_invoke(session, req.endpoint_name)}")
        _say(f"delete it when done: jstui endpoints {study.name} --delete {req.endpoint_name} --yes")
        print(printable(req.endpoint_name))
    return 0

