"""EngineSession: the StudySession (core/session.py) that runs a study against SageMaker or the
emulator. It owns the journal, the clients (and an embedded emulator), the launcher, the poller and
the budget guard; every headless command and the TUI go through it.

Every I/O method blocks (the TUI calls them from worker threads); `refresh` holds a lock, so
refreshes never overlap; `snapshot()` never does I/O."""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from jstui.domain import budget, estimate
from jstui.domain.textfmt import some_of
from jstui.aws.clients import Clients, make_clients, service_errors, translate
from jstui.aws.errors import ErrorKind, classify
from jstui.domain.errors import JstuiError, ServiceRefused, UsageError
from jstui.engine.journal import DROPPED, LAUNCHED, LAUNCHING, PENDING_STATES, REFUSED, Journal
from jstui.engine import job_definitions
from jstui.engine.launcher import Launcher, LaunchReport
from jstui.engine.poller import Poller, poll_errors
from jstui.engine.protocol import DeployDefaults, LogChunk
from jstui.domain.snapshot import TERMINAL_TRAINING, TERMINAL_TUNING, ConnectionState, StudySnapshot
from jstui.engine.snapshot_build import BuildInputs, build_snapshot
from jstui.engine.snapshot_codec import snapshot_from_json, snapshot_to_json
from jstui.domain.model import Candidate, Study
from jstui.domain.prices import PriceBook

log = logging.getLogger(__name__)

LOG_GROUP = "/aws/sagemaker/TrainingJobs"
EVENTS_IN_SNAPSHOT = 20
KEEP_BUDGET_CHECKS = 1000  # the guard journals every check; older ones only fill the disk
SAVE_UNCHANGED_EVERY_S = 60.0  # a snapshot equal to the saved one but for its clock is saved this often
_ANY_CONNECTION = ConnectionState("ok")  # stands for every connection state when comparing contents
POLL_INTERVAL_S = {"emulator": 1.0, "sagemaker": 30.0}  # wall seconds between refreshes


# --- study resolution -----------------------------------------------------------------------
def resolve_study(arg: str | None, home: Path) -> Path:
    """A study file path, or the name of a study in the journal; left out: the study opened last,
    else the default sample study."""
    from jstui.sample_studies import DEFAULT_STUDY

    if arg:
        path = Path(arg).expanduser()
        if path.is_file():
            return path.resolve()
        journal = Journal.open(home)
        try:
            rec = journal.study(arg)
        finally:
            journal.close()
        if rec is not None:
            if not Path(rec.path).is_file():
                raise UsageError(f"study {arg!r}: its file {rec.path} is gone (give the study file's path)")
            return Path(rec.path)
        if path.exists() or path.suffix == ".toml":  # a directory, a FIFO, a missing .toml: say which
            from jstui.study import load_study

            load_study(path)  # raises StudyFileError naming what it is
        raise UsageError(f"{arg}: no such study file, and no study of that name in the journal")
    if (home / "journal.sqlite").exists():
        journal = Journal.open(home)
        try:
            rec = journal.last_opened()
        finally:
            journal.close()
        if rec is not None and Path(rec.path).is_file():
            return Path(rec.path)
    return DEFAULT_STUDY


def load(path: Path) -> Study:
    from jstui.study import load_study

    return load_study(path)


def price_book(study: Study, home: Path) -> PriceBook:
    """The session's one price table (training and hosting): the study's overrides, a cached Price List
    refresh, the shipped table."""
    return PriceBook(home, study.prices)


def open_session(args: Any, study_arg: str | None, *, readonly: bool | None = None, budget_usd: float | None = None) -> EngineSession:
    """The session a headless command works with, from its parsed arguments."""
    path = resolve_study(study_arg, args.home)
    study = load(path)
    return EngineSession(
        study,
        args.home,
        readonly=args.readonly if readonly is None else (readonly or args.readonly),
        endpoint_url=args.endpoint_url,
        region=args.region,
        profile=args.profile,
        budget_usd=budget_usd,
    )


class EngineSession:
    def __init__(
        self,
        study: Study,
        home: Path,
        *,
        readonly: bool = False,
        endpoint_url: str | None = None,
        region: str | None = None,
        profile: str | None = None,
        budget_usd: float | None = None,
        clients: Clients | None = None,
    ):
        self.study = study
        self.home = Path(home)
        self.readonly = readonly
        self.endpoint_url = endpoint_url
        self.region = region or study.region
        self.profile = profile
        self.budget_usd = budget_usd if budget_usd is not None else study.budget.usd
        # --budget without a [budget] in the study means policy stop (docs/cli.md).
        self.budget_policy = "stop" if budget_usd is not None and study.budget.usd is None else study.budget.policy
        self.journal = Journal.open(self.home)
        self.journal.upsert_study(study.name, study.path, study.backend, self.region)
        self.prices = price_book(study, self.home)
        self.price_of = self.prices.training
        self._clients = clients
        self._jumpstart_source: str | None = None  # fingerprint of the JumpStart metadata in use
        self._launcher: Launcher | None = None
        self._poller: Poller | None = None
        self._lock = threading.RLock()
        self._connection = ConnectionState("connecting")
        self._now: datetime | None = None
        self._endpoints: tuple = ()
        self._checks = 0
        self._last_check_at: datetime | None = None  # the budget guard's previous check (backend time)
        self._waiting: str | None = None  # why queued candidates wait (the tuning-job quota)
        self._guard_stopped = self._stopped_by_guard()
        self._saved_content: StudySnapshot | None = None  # the last saved snapshot, clock and connection blanked
        self._saved_at = 0.0  # time.monotonic() of that save
        self._unsaved: StudySnapshot | None = None  # published but not saved (same content as the last save)
        body = self.journal.snapshot_body(study.name)
        self._snapshot = self._build() if body is None else self._with_offline(snapshot_from_json(body))

    def _stopped_by_guard(self) -> bool:
        """A guard stop holds until the budget changes (or an explicit launch resumes the study)."""
        stops = self.journal.events(self.study.name, kind="budget-stop", limit=1)
        resumes = self.journal.events(self.study.name, kind="budget-resume", limit=1)
        if not stops or (resumes and resumes[-1]["id"] > stops[-1]["id"]):
            return False
        return (stops[-1]["body"] or {}).get("budget_usd") == self.budget_usd

    # --- plumbing ----------------------------------------------------------------------------
    @property
    def clients(self) -> Clients:
        with self._lock:
            if self._clients is None:
                self._clients = make_clients(
                    self.study, self.home, endpoint_url=self.endpoint_url, region=self.region, profile=self.profile
                )
            return self._clients

    @property
    def launcher(self) -> Launcher:
        with self._lock:
            return self._make_launcher()

    def _make_launcher(self) -> Launcher:
        if self._launcher is None:
            self._launcher = Launcher(
                self.clients,
                self.journal,
                self.study,
                jumpstart_lookup=self._jumpstart,
                image_lookup=self._builtin_image,
                price_of=self.price_of,
                budget_usd=self.budget_usd,
            )
            self._launcher.halted = self._guard_stopped
        return self._launcher

    @property
    def poller(self) -> Poller:
        with self._lock:
            if self._poller is None:
                self._poller = Poller(self.clients, self.journal, self.study)
            return self._poller

    @property
    def poll_interval_s(self) -> float:
        return POLL_INTERVAL_S.get(self.study.backend, 30.0)

    def _sim_seconds(self, wall_s: float) -> float:
        return wall_s * (self.study.emulator.speed if self.study.backend == "emulator" else 1.0)

    def _jumpstart(self, candidate: Candidate) -> Any:
        """JumpStart metadata, cached in the journal (the SDK import and lookup are slow)."""
        from jstui.aws.jumpstart import LIVE_CACHE_MAX_AGE_S, JumpStartModel, lookup, metadata_fingerprint

        version = candidate.model_version or "*"
        itype = candidate.resources.instance_type
        offline = self.study.emulator.jumpstart_metadata if self.study.backend == "emulator" else None
        if self._jumpstart_source is None:  # once a session: hashing the snapshot is cheap, not free
            self._jumpstart_source = metadata_fingerprint(offline)
        max_age = None if offline is not None else LIVE_CACHE_MAX_AGE_S
        key = (candidate.model_id or "", version, self.region, itype, self._jumpstart_source)
        cached = self.journal.jumpstart(*key, max_age_s=max_age)
        # a cache written before the spec's isolation/environment fields were read is looked up again
        if cached is not None and cached.get("training_image") and "training_encrypt_inter_container_traffic" in cached:
            return JumpStartModel.from_dict(cached)
        model = lookup(candidate.model_id or "", version, region=self.region, offline_dir=offline, instance_type=itype)
        self.journal.save_jumpstart(*key, model.to_dict())
        return model

    def _builtin_image(self, algorithm: str) -> str:
        from jstui.aws.jumpstart import builtin_image

        return builtin_image(algorithm, self.region)

    def _check_writable(self, action: str) -> None:
        if self.readonly:
            raise UsageError(f"--readonly: not allowed to {action}")

    # --- StudySession ------------------------------------------------------------------------
    def snapshot(self) -> StudySnapshot:
        return self._snapshot

    def is_launched(self) -> bool:
        return bool(self.journal.launches(self.study.name))

    def plan_text(self) -> str:
        from jstui.study import plan
        from jstui.domain.catalog import Catalog
        from jstui.engine.launcher import launch_changes

        catalog = Catalog.load(self.study.emulator.catalogs) if self.study.emulator.catalogs else None
        text = plan.format_plan_compact(plan.build_plan(self.study, catalog, self.prices.table))
        changes = launch_changes(self.study, self.journal)
        if changes:
            text += "\n\nSince the last launch:\n" + "\n".join(f"  {line}" for line in changes)
        return text

    def refresh(self, *, strict: bool = False, raise_refusals: bool | None = None) -> StudySnapshot:
        """One cycle. With `strict` (one-shot headless commands) service errors raise as jstui
        errors (exit 3) instead of showing in the snapshot's connection state; refusals (exit 4)
        raise with `raise_refusals` (default: strict) and are journaled events either way."""
        if raise_refusals is None:
            raise_refusals = strict
        with self._lock:
            self.prices.reload_if_changed()  # `jstui prices --refresh` in another process changes every figure
            if strict or self.poller.due():
                self._poll(strict)
            # Launch only right after the service answered: while it is down, a Create would sit in
            # its client's 20 backed-off attempts (minutes) and the outage would show nowhere.
            if not self.readonly and not self._guard_stopped and self.poller.failures == 0:
                try:
                    report = self.launcher.launch_ready()
                    self._waiting = report.waiting
                    if report.launched or report.adopted:
                        self._poll(strict)  # show the new jobs as the service describes them
                except ServiceRefused:
                    if raise_refusals:
                        raise
                except JstuiError as exc:
                    if strict:
                        raise
                    self.poller.record_failure(exc)
                    self._connection = self.poller.connection
            self._refresh_endpoints()
            snap = self._build()
            snap = self._guard(snap)
            self._publish(snap)
            return snap

    def _poll(self, strict: bool) -> None:
        try:
            result = self.poller.poll_once()
            self._now = result.now or self._now
            self._connection = self.poller.connection
        except poll_errors() as exc:
            self.poller.record_failure(exc)
            self._connection = self.poller.connection
            if strict:
                raise translate(exc, "refreshing the study", hint=self.clients.renew_hint()) from None

    def _refresh_endpoints(self) -> None:
        """Endpoints jstui created for the study (no call at all when there are none)."""
        if not self.journal.endpoints(self.study.name):
            self._endpoints = ()  # the last one was deleted: stop showing it
            return
        if self._now is None:
            return
        from jstui.aws import hosting

        try:
            self._endpoints = hosting.endpoint_rows(self.clients.sagemaker, self.journal, self.study, self._now,
                                                   table=self.prices.table)
        except (JstuiError,) + poll_errors() as exc:
            log.info("endpoint refresh failed: %s", exc)

    def launch(self, candidates: list[str] | None = None) -> None:
        self._check_writable("launch")
        with self._lock:
            queued = self.launcher.queue(candidates)
            if queued:
                self.journal.add_event(self.study.name, "queued", f"queued {len(queued)}: {', '.join(queued)}")
            if self._guard_stopped:
                # An explicit launch after a budget stop is the user's decision to go on.
                self._guard_stopped = False
                self.launcher.halted = False
                self.journal.add_event(self.study.name, "budget-resume", "launch after a budget stop")
        self.refresh()

    def launch_now(self) -> LaunchReport:
        """Launch what the queue allows now; refusals raise (exit 4). Headless `launch`."""
        self._check_writable("launch")
        with self._lock:
            if self._guard_stopped:
                return LaunchReport()
            return self.launcher.launch_ready()

    def stop(self, candidate: str) -> None:
        self._check_writable("stop")
        with self._lock:
            launch = self.journal.current_launches(self.study.name).get(candidate)
            if launch is None:
                raise UsageError(f"{candidate}: not launched in study {self.study.name!r}")
            if launch.state in PENDING_STATES and launch.state != LAUNCHING:
                self.launcher.drop(candidate)
                self.journal.add_event(self.study.name, "stopped", f"{candidate}: removed from the queue")
            elif launch.state in (LAUNCHED, LAUNCHING):
                self._stop_tuning_job(launch.tuning_job_name, candidate)
        self.refresh()

    def _stop_tuning_job(self, name: str, candidate: str) -> None:
        from botocore.exceptions import ClientError

        with service_errors(f"stopping {name}"):
            try:
                self.clients.sagemaker.stop_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
            except ClientError as exc:
                # Already terminal (SageMaker answers ValidationException) or gone: nothing to stop.
                if classify(exc).kind in (ErrorKind.INVALID, ErrorKind.NOT_FOUND):
                    return
                raise
        self.journal.add_event(self.study.name, "stopped", f"{candidate}: stop requested for {name}")

    def retry(self, candidate: str) -> None:
        self._check_writable("retry")
        with self._lock:
            status = self.candidate_status(candidate)
            if status not in ("Failed", "Stopped"):
                raise UsageError(f"{candidate}: only a Failed or Stopped candidate can be retried (it is {status})")
            launch = self.journal.current_launches(self.study.name).get(candidate)
            if launch is not None and launch.state in (DROPPED, REFUSED):
                self.launcher.queue([candidate])
            else:
                self.launcher.queue_retry(candidate)
        self.refresh()

    def retry_failed(self) -> list[str]:
        """`launch --retry-failed`: every Failed or Stopped candidate as a new generation."""
        retried = []
        for row in self._snapshot.tuning_jobs:
            if row.status in ("Failed", "Stopped") and row.candidate in {c.name for c in self.study.candidates}:
                self.retry(row.candidate)
                retried.append(row.candidate)
        return retried

    def candidate_status(self, candidate: str) -> str | None:
        for row in self._snapshot.tuning_jobs:
            if row.candidate == candidate:
                return row.status
        return None

    def logs(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        state = json.loads(next_token) if next_token else {}
        logs = self.clients.logs
        with service_errors(f"reading the logs of {training_job_name}"):
            stream = state.get("stream")
            if not stream:
                streams = logs.describe_log_streams(
                    logGroupName=LOG_GROUP, logStreamNamePrefix=f"{training_job_name}/"
                ).get("logStreams", [])
                if not streams:
                    return LogChunk((), next_token, self._training_terminal(training_job_name))
                stream = sorted(s["logStreamName"] for s in streams)[0]
            kwargs: dict[str, Any] = {"logGroupName": LOG_GROUP, "logStreamName": stream, "startFromHead": True}
            if state.get("token"):
                kwargs["nextToken"] = state["token"]
            resp = logs.get_log_events(**kwargs)
        lines = tuple(e["message"] for e in resp.get("events", []))
        stamps = tuple(int(e.get("timestamp") or 0) for e in resp.get("events", []))
        token = resp.get("nextForwardToken") or state.get("token")
        complete = not lines and self._training_terminal(training_job_name)
        return LogChunk(lines, json.dumps({"stream": stream, "token": token}), complete, stamps)

    def metric_definitions(self, training_job_name: str) -> tuple:
        return job_definitions.metric_definitions(self, training_job_name)

    def _training_terminal(self, name: str) -> bool:
        return any(t.training_job_name == name and t.status in TERMINAL_TRAINING for t in self._snapshot.training_jobs)

    # --- deploy: core/deploy.py (issue "Frontier, pick and deploy") --------------------------
    def _deploy_module(self) -> Any:
        try:
            from jstui.engine import deployments as deploy
        except ImportError:
            raise JstuiError("deploy is not built yet") from None
        return deploy

    def deploy_defaults(self, candidate: str) -> DeployDefaults:
        return self._deploy_module().deploy_defaults(self, candidate)

    def deploy(self, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> None:
        self._check_writable("deploy")
        self._deploy_module().deploy(self, candidate, endpoint_name, instance_type, instance_count)

    def hosting_usd_per_hour(self, instance_type: str, instance_count: int) -> float | None:
        return self.prices.hosting(instance_type, instance_count)

    def smoke_invoke(self, endpoint_name: str) -> str:
        return self._deploy_module().smoke_invoke(self, endpoint_name)

    def delete_endpoint(self, endpoint_name: str) -> None:
        self._check_writable("delete an endpoint")
        self._deploy_module().delete_endpoint(self, endpoint_name)

    def close(self) -> None:
        with self._lock:
            if self._unsaved is not None and self._saved_content is not None:
                self._save_snapshot(self._unsaved, self._saved_content)
            if self._clients is not None:
                self._clients.close()
                self._clients = None
            self.journal.close()

    def __enter__(self) -> EngineSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- adoption ----------------------------------------------------------------------------
    def adopt(self, prefix: str) -> tuple[dict[str, str], list[str]]:
        """Take existing tuning jobs named PREFIX... into the study, matched to candidates by the
        model they train: ({tuning job name: candidate}, [unmatched job names])."""
        from jstui.engine.adopt import adopt

        self._check_writable("adopt")
        with self._lock:
            with service_errors(f"adopting tuning jobs named {prefix}*"):
                return adopt(self.launcher, prefix)

    # --- snapshots ---------------------------------------------------------------------------
    def _with_offline(self, snap: StudySnapshot) -> StudySnapshot:
        from dataclasses import replace

        return replace(snap, connection=ConnectionState("connecting", message="last saved snapshot"))

    def _build(self) -> StudySnapshot:
        study = self.study
        launches = self.journal.current_launches(study.name)
        tuning = self.journal.tuning_jobs(study.name)
        current_names = {l.tuning_job_name for l in launches.values()}
        earlier = tuple(
            l for l in self.journal.launches(study.name) if l.state == LAUNCHED and l.tuning_job_name not in current_names
        )
        names = [l.tuning_job_name for l in launches.values() if l.state == LAUNCHED] + [
            l.tuning_job_name for l in earlier
        ]
        terminal = self.journal.terminal_training_jobs(names)
        events = tuple(
            f"{e['at'] or ''} {e['message']}".strip()
            for e in self.journal.events(study.name, limit=EVENTS_IN_SNAPSHOT)
            if e["kind"] != "budget-check"
        )
        snap = build_snapshot(
            BuildInputs(
                study=study,
                launches=launches,
                tuning=tuning,
                terminal=terminal,
                now=self._now,
                connection=self._connection,
                price_of=self.price_of,
                events=events,
                endpoints=self._endpoints,
                earlier=earlier,
                budget_usd=self.budget_usd,
                budget_policy=self.budget_policy if self.budget_usd else None,
                budget_state="stopped" if self._guard_stopped else "ok",
            )
        )
        from dataclasses import replace

        snap = replace(snap, planned=self._planned())
        return replace(snap, projected_usd=estimate.projected_usd(snap, self.price_of))

    def _planned(self) -> tuple:
        """The plan's figures per candidate (built once; the projection prices them with the session's table)."""
        if getattr(self, "_planned_cache", None) is None:
            from jstui.study import plan
            from jstui.domain.catalog import Catalog
            from jstui.domain.prices import load_price_table

            catalog = Catalog.load(self.study.emulator.catalogs) if self.study.emulator.catalogs else None
            self._planned_cache = plan.planned_candidates(
                plan.build_plan(self.study, catalog, load_price_table(self.home)), self.study)
        return self._planned_cache

    def _guard(self, snap: StudySnapshot) -> StudySnapshot:
        from dataclasses import replace

        if not self.budget_usd:
            return snap
        rate = budget.burn_rate_usd_per_s(snap, self.price_of)
        # The next check comes about as long after this one as this one came after the last
        # (refreshes take time too), and never sooner than the poll interval.
        horizon = self._sim_seconds(self.poll_interval_s)
        if snap.taken_at is not None and self._last_check_at is not None:
            horizon = max(horizon, (snap.taken_at - self._last_check_at).total_seconds())
        self._last_check_at = snap.taken_at or self._last_check_at
        # A read-only session (plain `status`, exports) observes: it reports, never acts.
        policy = "warn" if self.readonly else self.budget_policy
        decision = budget.decide(
            snap.spend_usd, rate, horizon, self.budget_usd, policy, already_stopped=self._guard_stopped
        )
        at = snap.taken_at
        if not self.readonly:  # the guard's own checks, from which its overshoot can be bounded
            self.journal.add_event(
                self.study.name,
                "budget-check",
                f"spend {snap.spend_usd:.4f} expected {decision.expected_usd:.4f}",
                at=at,
                body={"spend_usd": snap.spend_usd, "rate_usd_per_s": rate, "expected_usd": decision.expected_usd},
            )
            self._checks += 1
            if self._checks % 100 == 0:
                self.journal.prune_events(self.study.name, "budget-check", keep=KEEP_BUDGET_CHECKS)
        if decision.act:
            self._budget_stop(snap, decision)
            snap = self._build()
            return replace(snap, budget_state="stopped")
        if decision.message and decision.state in ("warning", "exceeded") and not self.readonly:
            last = self.journal.events(self.study.name, kind=f"budget-{decision.state}", limit=1)
            if not last:
                self.journal.add_event(self.study.name, f"budget-{decision.state}", decision.message, at=at)
                snap = replace(snap, events=snap.events + (decision.message,))
        return replace(snap, budget_state=decision.state)

    def _budget_stop(self, snap: StudySnapshot, decision: budget.GuardDecision) -> None:
        self._guard_stopped = True
        self.launcher.halted = True
        self.journal.add_event(
            self.study.name,
            "budget-stop",
            decision.message or "budget guard stopped the study",
            at=snap.taken_at,
            body={"spend_usd": decision.spend_usd, "expected_usd": decision.expected_usd, "budget_usd": self.budget_usd},
        )
        for launch in self.journal.current_launches(self.study.name).values():
            if launch.state in PENDING_STATES and launch.state != LAUNCHING:
                self.journal.set_launch_state(
                    self.study.name, launch.candidate, launch.generation, DROPPED, "budget guard"
                )
        for row in budget.running_rows(snap):
            try:
                self._stop_tuning_job(row.tuning_job_name or "", row.candidate)
            except JstuiError as exc:  # the next check tries again
                log.warning("budget stop of %s failed: %s", row.tuning_job_name, exc)

    def _publish(self, snap: StudySnapshot) -> None:
        """Show `snap` and keep it in the journal. Serialising and writing a 20,000-job snapshot holds
        the GIL for most of a second (keys stall in the TUI), so a snapshot whose content equals the
        last saved one (only the clock and connection moved) is saved at most every
        SAVE_UNCHANGED_EVERY_S, and on close: the journal never loses the last state."""
        from dataclasses import replace

        self._snapshot = snap
        content = replace(snap, taken_at=None, connection=_ANY_CONNECTION)
        stale = time.monotonic() - self._saved_at >= SAVE_UNCHANGED_EVERY_S
        if content == self._saved_content and not stale:
            self._unsaved = snap
            return
        self._save_snapshot(snap, content)

    def _save_snapshot(self, snap: StudySnapshot, content: StudySnapshot) -> None:
        self.journal.save_snapshot(self.study.name, snapshot_to_json(snap))
        self._saved_content = content
        self._saved_at = time.monotonic()
        self._unsaved = None

    # --- helpers for commands ----------------------------------------------------------------
    def all_terminal(self) -> bool:
        """Nothing left to do: every queued candidate launched and every tuning job terminal."""
        pending = [l for l in self.journal.current_launches(self.study.name).values() if l.state in PENDING_STATES]
        if pending and not self._guard_stopped:
            return False
        rows = [r for r in self._snapshot.tuning_jobs if r.tuning_job_name]
        return all(r.status in TERMINAL_TUNING for r in rows)

    def find_candidate(self, text: str) -> str:
        """A candidate's name, a unique substring of it, or a training/tuning job name."""
        names = [c.name for c in self.study.candidates]
        if text in names:
            return text
        for t in self._snapshot.training_jobs:
            if t.training_job_name == text:
                return t.candidate
        for tj in self._snapshot.tuning_jobs:
            if tj.tuning_job_name == text:
                return tj.candidate
        matches = [n for n in names if text in n]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(f"{text}: no candidate of study {self.study.name!r} matches")
        raise UsageError(f"{text}: matches {len(matches)} candidates ({some_of(matches)}); be more specific")
