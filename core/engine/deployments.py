"""Deploy, invoke and delete for a study session (what `EngineSession.deploy*` and the `deploy` /
`endpoints` commands call). The service-side steps live in `core.hosting`; this module finds
what to deploy (the candidate's best training job, its inference image and default instance)
and which names are taken.

`session` is an `EngineSession`: it gives the study, the journal, the clients, its cached
JumpStart lookup and the backend's "now"."""

from __future__ import annotations

from datetime import datetime, UTC
from typing import Any

from jstui.aws import hosting, smoke_test
from jstui.aws.hosting import EndpointStatus, InferenceSpec
from jstui.domain import endpoints
from jstui.domain.errors import UsageError
from jstui.domain.model import Candidate
from jstui.domain.snapshot import EndpointRow
from jstui.engine.protocol import DeployDefaults

# A built-in algorithm's container serves on CPU; JumpStart models name their own default.
BUILTIN_INFERENCE_INSTANCE = "ml.m5.xlarge"


def _tuning_job_name(session: Any, candidate: str) -> str:
    for row in session.snapshot().tuning_jobs:
        if row.candidate == candidate and row.tuning_job_name:
            return row.tuning_job_name
    launch = session.journal.current_launches(session.study.name).get(candidate)
    if launch is None or not launch.tuning_job_name:
        raise UsageError(f"{candidate}: not launched yet, so there is no model to deploy")
    return launch.tuning_job_name


def inference_spec(session: Any, candidate: Candidate, training_image: str = "") -> InferenceSpec:
    """JumpStart's hosting spec for a JumpStart model (cached lookup; the study's offline snapshot
    on the emulator); the training image for a built-in algorithm, whose container also serves."""
    if not candidate.model_id:
        image = training_image or session.models.builtin_image(candidate.algorithm or "")
        return InferenceSpec(image, BUILTIN_INFERENCE_INSTANCE, None)
    js = session.models.jumpstart(candidate)
    if not js.inference_image:
        raise UsageError(f"JumpStart has no inference image for {candidate.model_id} {js.version}")
    return InferenceSpec(js.inference_image, js.default_inference_instance_type or BUILTIN_INFERENCE_INSTANCE,
                         js.version, tuple(sorted(js.inference_environment.items())),
                         js.inference_enable_network_isolation)


def taken_names(session: Any) -> set[str]:
    """Endpoint names in use: the account's (ListEndpoints) and any jstui has journaled."""
    names = set(hosting.list_endpoint_summaries(session.clients.sagemaker))
    names.update(r["name"] for r in session.journal.endpoints(None))
    return names


def deploy_defaults(session: Any, candidate: str) -> DeployDefaults:
    """The name, instance and price a deploy would use; the candidate's interrupted or live endpoint
    when it has one (deploying it again resumes or takes up that one)."""
    cand = session.study.candidate(session.find_candidate(candidate))
    live = live_deployment(session, cand.name)
    if live is not None:
        itype, count = live.get("instance_type") or "", int(live.get("instance_count") or 1)
        return DeployDefaults(live["name"], itype, count, session.hosting_usd_per_hour(itype, count))
    spec = inference_spec(session, cand)
    name = endpoints.suggest_endpoint_name(session.study.name, cand.name, taken_names(session))
    return DeployDefaults(name, spec.default_instance_type, 1,
                          session.hosting_usd_per_hour(spec.default_instance_type, 1))


def plan_deploy(session: Any, candidate: str, endpoint_name: str | None = None, instance_type: str | None = None,
                instance_count: int = 1) -> hosting.DeployRequest:
    """Everything a deploy will create, checked (name valid and free, job completed), nothing created."""
    cand = session.study.candidate(session.find_candidate(candidate))
    sm = session.clients.sagemaker
    best = hosting.best_training_job_name(sm, _tuning_job_name(session, cand.name))
    target = hosting.describe_target(sm, cand, best)
    spec = inference_spec(session, cand, target.training_image)
    taken = taken_names(session)
    name = endpoint_name or endpoints.suggest_endpoint_name(session.study.name, cand.name, taken)
    return hosting.build_request(session.study, target, spec, name, instance_type or spec.default_instance_type,
                                 instance_count, taken)


# What the service says of an endpoint that is over: a Failed one is not billed and is not resumed.
_OVER = ("Failed", "Deleting")


def live_deployment(session: Any, candidate: str, endpoint_name: str | None = None, *,
                    repair: bool = True) -> dict | None:
    """The candidate's journaled deployment (of that name, if given) that is not over: one a crash
    interrupted a step short of CreateEndpoint (`state` in STEPS[:-1]), or an endpoint the service still
    has and that has not Failed (`status` added: Creating, InService, Updating, ...). An endpoint the
    journal says was created but the service no longer has is put back one step (in the journal only
    when `repair`), so that deploying again creates it anew under the same name (model and config are
    adopted). Newest first."""
    cand = session.find_candidate(candidate)
    sm, journal, study = session.clients.sagemaker, session.journal, session.study.name
    for rec in reversed(journal.endpoints(study)):
        if rec.get("candidate") != cand or (endpoint_name is not None and rec["name"] != endpoint_name):
            continue
        if rec["state"] == endpoints.DELETING or not rec.get("body"):
            continue
        if rec["state"] in endpoints.STEPS[:-1]:
            return rec
        st = hosting.endpoint_status(sm, rec["name"])
        if st is None:
            if rec["state"] == "endpoint":  # answered, then never seen: create it again
                if repair:
                    journal.save_endpoint(rec["name"], study, state="config")
                return dict(rec, state="config")
            continue
        if st.status in _OVER:
            continue
        return dict(rec, status=st.status)
    return None


def resume_or_adopt(session: Any, rec: dict) -> hosting.DeployRequest:
    """Finish an interrupted deploy (`rec` from `live_deployment`), or take up its endpoint as it is."""
    if rec["state"] in endpoints.STEPS[:-1]:
        session.journal.save_endpoint(rec["name"], session.study.name, state=rec["state"])
        resumed = hosting.resume_deploy(session.clients.sagemaker, session.journal, session.study.name, rec["name"])
        if resumed is not None:
            return resumed
    return hosting.DeployRequest.from_dict(rec["body"])


def deploy(session: Any, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> hosting.DeployRequest:
    """Create Model, EndpointConfig and Endpoint; returns once the endpoint is Creating. Deploying
    again under the name of an interrupted deploy finishes that one, and under the name of the
    candidate's endpoint that is already there takes that one up: never a second endpoint for it."""
    live = live_deployment(session, candidate, endpoint_name)
    if live is not None:
        return resume_or_adopt(session, live)
    req = plan_deploy(session, candidate, endpoint_name, instance_type, instance_count)
    hosting.start_deploy(session.clients.sagemaker, session.journal, req)
    return req


def wait(session: Any, endpoint_name: str, *, poll_s: float | None = None, timeout_s: float = 3600.0,
         on_status=None) -> EndpointStatus:
    """Follow the endpoint to InService or Failed, journaling where it ended."""
    if poll_s is None:
        poll_s = 0.25 if session.study.backend == "emulator" else 15.0
    st = hosting.wait_for_endpoint(session.clients.sagemaker, endpoint_name, poll_s=poll_s, timeout_s=timeout_s,
                                   on_status=on_status)
    hosting.record_status(session.journal, session.study.name, st)
    return st


def leftovers(session: Any) -> list[hosting.Leftover]:
    return hosting.leftovers(session.clients.sagemaker, session.journal, session.study.name)


def delete_leftover(session: Any, name: str) -> hosting.Leftover:
    return hosting.delete_leftover(session.clients.sagemaker, session.journal, session.study.name, name)


def smoke_invoke(session: Any, endpoint_name: str) -> str:
    return smoke_test.smoke_invoke(session.clients.runtime, endpoint_name)


def delete_endpoint(session: Any, endpoint_name: str) -> None:
    hosting.delete_deployment(session.clients.sagemaker, session.journal, session.study.name, endpoint_name)


def resume_interrupted(session: Any) -> list[str]:
    """Finish deploys a crash interrupted (they were journaled step by step)."""
    done = []
    for name in hosting.interrupted_deploys(session.journal, session.study.name):
        if hosting.resume_deploy(session.clients.sagemaker, session.journal, session.study.name, name):
            done.append(name)
    return done


def endpoint_rows(session: Any, now: datetime | None = None) -> tuple[EndpointRow, ...]:
    """The study's endpoints for the snapshot (costs accrued to the backend's `now`)."""
    if now is None:
        now = session.backend_now() or session.snapshot().taken_at or datetime.now(UTC)
    return hosting.endpoint_rows(session.clients.sagemaker, session.journal, session.study, now,
                                 table=session.prices.table)


# SageMaker adds these to a tuned job's hyperparameters itself; passing them back is an error.
_SERVICE_HYPERPARAMETERS = ("_tuning_objective_metric",)


def picked_configuration(session: Any, candidate: str) -> dict[str, Any]:
    """The candidate's best configuration, enough to reproduce it outside jstui (`--export ...
    --what picked --model CAND`): model id and version, training and inference images, every
    hyperparameter the best job ran with (static ones too: they are part of the recipe), its
    artifact URI, objective and metrics. Keys in a stable order; `hp.<name>` sorted."""
    cand = session.study.candidate(session.find_candidate(candidate))
    tuning = _tuning_job_name(session, cand.name)
    row = next((r for r in session.snapshot().tuning_jobs if r.tuning_job_name == tuning), None)
    best = row.best_training_job_name if row is not None and row.best_training_job_name else None
    if best is None:
        best = hosting.best_training_job_name(session.clients.sagemaker, tuning)
    describe = session.journal.terminal_training_jobs([tuning]).get(best)
    if not describe:
        describe = hosting.service_call(session.clients.sagemaker.describe_training_job, "describing the training job",
                                 TrainingJobName=best)
    algo = describe.get("AlgorithmSpecification") or {}
    resources = describe.get("ResourceConfig") or {}
    training_image = algo.get("TrainingImage")
    try:
        spec: InferenceSpec | None = inference_spec(session, cand, training_image or "")
    except Exception:  # a lookup that cannot answer leaves the cells empty, never fails the export
        spec = None
    objective = (describe.get("FinalHyperParameterTuningJobObjectiveMetric") or {})
    hps = {k: v for k, v in (describe.get("HyperParameters") or {}).items() if k not in _SERVICE_HYPERPARAMETERS}
    out: dict[str, Any] = {
        "study": session.study.name, "candidate": cand.name, "model_id": cand.catalog_id,
        "model_version": (spec.jumpstart_version if spec else None) or (cand.model_version if cand.model_id else None),
        "tuning_job_name": tuning, "training_job_name": best,
        "objective_name": objective.get("MetricName") or cand.tuning.objective,
        "objective": objective.get("Value", row.best_objective if row is not None else None),
        "training_image": training_image, "inference_image": spec.image_uri if spec else None,
        "instance_type": resources.get("InstanceType"), "instance_count": resources.get("InstanceCount"),
        "artifact_uri": (describe.get("ModelArtifacts") or {}).get("S3ModelArtifacts"),
    }
    out.update({f"hp.{k}": hps[k] for k in sorted(hps)})
    for m in describe.get("FinalMetricDataList") or []:
        out.setdefault(m["MetricName"], m.get("Value"))
    return out

