"""EngineSession: the StudySession (jstui.engine.protocol) that runs a study against SageMaker or the
emulator; every headless command and the TUI go through it. It is a facade over named collaborators:

- Launcher (launcher.py): the queue and CreateHyperParameterTuningJob;
- Poller (poller.py): what the service says, incrementally, by Search when catching up;
- BudgetGuard (budget_guard.py): checks each complete snapshot against the budget, stops the study;
- SnapshotStore (snapshot_store.py): the snapshot shown and the one the journal keeps;
- LogReader (log_reader.py): a training job's log stream;
- ModelResolver (models.py): JumpStart and built-in image lookups, cached in the journal;
- hosting (deployments.py): deploy, endpoints, smoke test.

Every I/O method blocks (the TUI calls them from worker threads). No lock is held across a network
call: refresh cycles do not overlap (a second `refresh` waits for the one in flight, or with
`wait=False` asks it to go round once more and returns at once), and stop, launch, logs and the guard's
state never wait for a cycle. `snapshot()` never does I/O."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from jstui.domain import budget, estimate
from jstui.domain.textfmt import some_of
from jstui.aws.clients import Clients, make_clients, service_errors, translate
from jstui.aws.errors import ErrorKind, classify
from jstui.domain.errors import JstuiError, ServiceRefused, UsageError
from jstui.engine.budget_guard import BudgetGuard
from jstui.engine.journal import DROPPED, LAUNCHED, LAUNCHING, PENDING_STATES, REFUSED, Journal
from jstui.engine.job_definitions import DefinitionReader
from jstui.engine.launcher import Launcher, LaunchReport
from jstui.engine.log_reader import LOG_GROUP, LogReader  # noqa: F401  (LOG_GROUP: kept importable here)
from jstui.engine.models import ModelResolver
from jstui.engine.poller import Poller, poll_errors
from jstui.engine.protocol import DeployDefaults, LogChunk
from jstui.domain.snapshot import QUEUED, TERMINAL_TRAINING, TERMINAL_TUNING, ConnectionState, StudySnapshot
from jstui.engine.snapshot_build import BuildInputs, RowCache, TerminalCache, build_snapshot
from jstui.engine.snapshot_store import SnapshotStore
from jstui.domain.model import Study
from jstui.domain.prices import PriceBook

log = logging.getLogger(__name__)

EVENTS_IN_SNAPSHOT = 20
PARTIAL_EVERY_S = 1.0  # a catch-up shows its progress at most this often (each build costs CPU)
PARTIAL_CPU_SHARE = 0.2  # ...and spends at most about this share of its time building partial snapshots
POLL_INTERVAL_S = {"emulator": 1.0, "sagemaker": 30.0}  # wall seconds between refreshes


# --- study resolution -----------------------------------------------------------------------
def resolve_study(arg: str | None, home: Path) -> Path:
    """A study file path, or the name of a study in the journal; left out: the study opened last,
    else the default sample study."""
    from jstui.sample_studies import DEFAULT_STUDY

    if arg is not None and not arg.strip():  # `jstui stop "$STUDY" --yes`, unset: never the last one opened
        raise UsageError("STUDY is empty (an unset shell variable?); name a study file or a study in the journal")
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
        budget_value = budget_usd if budget_usd is not None else study.budget.usd
        # --budget without a [budget] in the study means policy stop.
        policy = "stop" if budget_usd is not None and study.budget.usd is None else study.budget.policy
        self.journal = Journal.open(self.home)
        self.prices = price_book(study, self.home)
        self.price_of = self.prices.training
        self._clients = clients
        self._clients_lock = threading.Lock()  # creating the clients (may start the embedded emulator)
        self.models = ModelResolver(self.journal, study, self.region)
        self.guard = BudgetGuard(self.journal, study.name, budget_value, policy, readonly=readonly, price_of=self.price_of)
        self.store = SnapshotStore(self.journal, study.name)
        self.log_reader = LogReader(lambda: self.clients, self._training_terminal)
        self.definition_reader = DefinitionReader(lambda: self.clients, self.journal, self.snapshot)
        self._launcher: Launcher | None = None
        self._poller: Poller | None = None
        self._parts_lock = threading.Lock()  # creating the launcher and poller
        # Refresh cycles: a condition, not a lock held across the cycle's calls (see the module doc).
        self._cycle = threading.Condition(threading.Lock())
        self._in_flight = False
        self._again = False  # an action asked for one more cycle while one was in flight
        self._now: datetime | None = None
        self._connection = ConnectionState("connecting")
        self._endpoints: tuple = ()
        self._waiting: str | None = None  # why queued candidates wait (the tuning-job quota)
        self._next_partial = 0.0  # time.monotonic() before which no partial snapshot is built
        self._terminal = TerminalCache()
        self._rows = RowCache()  # rows of unchanged tuning jobs are reused between builds
        self._opened = False  # studies.opened_at recorded (after the study's rows were read back)
        self._open_lock = threading.Lock()
        try:
            if self.store.load_saved() is None:
                self.store.show(self._build())
                self._open_study()
        except BaseException:
            self.journal.close()
            raise

    def _open_study(self) -> None:
        """Read back every row of the study, then record that it was opened (studies.opened_at): a
        damaged journal is refused (JournalError, exit 7) before anything is written to it. Once, before
        the first write: at open when there was no saved snapshot to show (the build read the rows),
        else at the start of the first refresh or action, so showing the saved snapshot stays quick."""
        with self._open_lock:
            if self._opened:
                return
            self.journal.check_study(self.study.name)
            self._terminal.read(self.journal)  # every training job's document, checked (the builds reuse them)
            self.journal.upsert_study(self.study.name, self.study.path, self.study.backend, self.region)
            self._opened = True

    # --- compatibility: the guard's figures ----------------------------------------------------
    @property
    def budget_usd(self) -> float | None:
        return self.guard.budget_usd

    @property
    def budget_policy(self) -> str:
        return self.guard.policy

    # --- plumbing ----------------------------------------------------------------------------
    @property
    def clients(self) -> Clients:
        with self._clients_lock:
            if self._clients is None:
                self._clients = make_clients(
                    self.study, self.home, endpoint_url=self.endpoint_url, region=self.region, profile=self.profile
                )
            return self._clients

    @property
    def launcher(self) -> Launcher:
        clients = self.clients
        with self._parts_lock:
            if self._launcher is None:
                self._launcher = Launcher(
                    clients,
                    self.journal,
                    self.study,
                    jumpstart_lookup=self.models.jumpstart,
                    image_lookup=self.models.builtin_image,
                    price_of=self.price_of,
                    budget_usd=self.guard.budget_usd,
                )
            self._launcher.halted = self.guard.stopped
            self._launcher.budget_room = self._budget_room
            return self._launcher

    @property
    def poller(self) -> Poller:
        clients = self.clients
        with self._parts_lock:
            if self._poller is None:
                self._poller = Poller(clients, self.journal, self.study)
            return self._poller

    def _wire(self) -> None:
        """The poller describes jobs the launcher just created by their requests (no call)."""
        self.poller.created = self.launcher.created

    @property
    def poll_interval_s(self) -> float:
        return POLL_INTERVAL_S.get(self.study.backend, 30.0)

    def backend_now(self) -> datetime | None:
        """The backend's clock at the last poll (None before the first answer)."""
        return self._now

    def _sim_seconds(self, wall_s: float) -> float:
        return wall_s * (self.study.emulator.speed if self.study.backend == "emulator" else 1.0)

    def _check_writable(self, action: str) -> None:
        if self.readonly:
            raise UsageError(f"--readonly: not allowed to {action}")
        self._open_study()

    # --- StudySession ------------------------------------------------------------------------
    def snapshot(self) -> StudySnapshot:
        return self.store.current()

    def is_launched(self) -> bool:
        return bool(self.journal.launches(self.study.name))

    def launchable(self) -> list[str]:
        return self.launcher.launchable()

    def plan_text(self) -> str:
        from jstui.study import plan
        from jstui.domain.catalog import Catalog

        from jstui.engine.launcher import launch_changes

        catalog = Catalog.load(self.study.emulator.catalogs) if self.study.emulator.catalogs else None
        built = replace(plan.build_plan(self.study, catalog, self.prices.table),  # --budget, if given
                        budget_usd=self.guard.budget_usd, budget_policy=self.guard.policy)
        text = plan.format_plan_compact(built)
        changes = launch_changes(self.study, self.journal)
        if changes:
            text += "\n\nSince the last launch:\n" + "\n".join(f"  {line}" for line in changes)
        return text

    def refresh(self, *, strict: bool = False, raise_refusals: bool | None = None, wait: bool = True) -> StudySnapshot:
        """One cycle. With `strict` (one-shot headless commands) service errors raise as jstui
        errors (exit 3) instead of showing in the snapshot's connection state; refusals (exit 4)
        raise with `raise_refusals` (default: strict) and are journaled events either way.
        While another cycle is in flight: waits for it and then runs its own, or with `wait=False`
        asks it to go round once more and returns the current snapshot at once."""
        with self._cycle:
            if self._in_flight and not wait:
                self._again = True
                return self.store.current()
            while self._in_flight:
                self._cycle.wait()
            self._in_flight = True
        try:
            while True:
                with self._cycle:
                    self._again = False
                snap = self._run_cycle(strict, raise_refusals)
                with self._cycle:
                    if not self._again:
                        return snap
        finally:
            with self._cycle:
                self._in_flight = False
                self._cycle.notify_all()

    def _run_cycle(self, strict: bool, raise_refusals: bool | None) -> StudySnapshot:
        if raise_refusals is None:
            raise_refusals = strict
        self._open_study()
        self.prices.reload_if_changed()  # `jstui prices --refresh` in another process changes every figure
        self._wire()
        if strict or self.poller.due():
            self._poll(strict)
        # Launch only right after the service answered: while it is down, a Create would sit in
        # its client's 20 backed-off attempts (minutes) and the outage would show nowhere.
        if not self.readonly and not self.guard.stopped and self.poller.failures == 0:
            try:
                self._prefetch_models()
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
        # The guard and the projection act on complete snapshots only: this one.
        snap = self.guard.check(
            snap,
            self._sim_seconds(self.poll_interval_s),
            stop_tuning_job=self._stop_tuning_job,
            rebuild=self._build,
            learn_starts=self._learn_starts,
        )
        self.store.publish(snap)
        return snap

    def _budget_room(self):
        """The budget's room for this cycle's launches, from a snapshot of what the poll just read."""
        if not self.guard.budget_usd:
            return None
        return budget.room(self._build(project=False), self.price_of, self.guard.budget_usd, self.guard.policy)

    def _learn_starts(self, names: tuple[str, ...]) -> None:
        """The guard's fresh look at training jobs whose start the last list did not show."""
        try:
            self.poller.relist(names)
        except poll_errors() as exc:  # the guard then acts on its estimate, the safe side
            log.info("relisting training jobs failed: %s", exc)

    def _poll(self, strict: bool) -> None:
        try:
            result = self.poller.poll_once(progress=self._show_progress)
            self._now = result.now or self._now
            self._connection = self.poller.connection
        except poll_errors() as exc:
            self.poller.record_failure(exc)
            self._connection = self.poller.connection
            if strict:
                raise translate(exc, "refreshing the study", hint=self.clients.renew_hint()) from None

    def _show_progress(self) -> None:
        """A catch-up journaled another batch: show the rows so far (not saved; no guard, no projection)."""
        if time.monotonic() < self._next_partial:
            return
        started = time.monotonic()
        shown = self.store.current()
        snap = self._build(project=False)
        snap = replace(
            snap,
            connection=ConnectionState("ok", message="catching up: rows fill in as the service answers"),
            budget_state=shown.budget_state,
        )
        self.store.show(snap)
        spent = time.monotonic() - started
        self._next_partial = time.monotonic() + max(PARTIAL_EVERY_S, spent / PARTIAL_CPU_SHARE)

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
        """Queue (journal only) and ask for a cycle; returns without waiting for a cycle in flight,
        which launches them when it reaches its launch step (or goes round once more)."""
        self._check_writable("launch")
        queued = self.launcher.queue(candidates)
        if queued:
            self.journal.add_event(self.study.name, "queued", f"queued {len(queued)}: {', '.join(queued)}")
        if self.guard.resume("launch after a budget stop"):
            self.launcher.halted = False
        self.refresh(wait=False)

    def launch_now(self) -> LaunchReport:
        """Launch what the queue allows now; refusals raise (exit 4). Headless `launch`."""
        self._check_writable("launch")
        if self.guard.stopped:
            return LaunchReport()
        self._prefetch_models()
        return self.launcher.launch_ready()

    def _prefetch_models(self) -> None:
        """The JumpStart lookups of everything queued, in one child process (errors surface per
        candidate when the launcher reaches it)."""
        by_name = {c.name: c for c in self.study.candidates}
        self.models.prefetch(by_name[l.candidate] for l in self.launcher.pending() if l.candidate in by_name)

    def stop(self, candidate: str) -> None:
        """Stop now (one call, no lock), then ask for a cycle without waiting for one in flight."""
        self._check_writable("stop")
        launch = self.journal.current_launches(self.study.name).get(candidate)
        if launch is None:
            raise UsageError(f"{candidate}: not launched in study {self.study.name!r}")
        if launch.state in PENDING_STATES and launch.state != LAUNCHING:
            self.launcher.drop(candidate)
            self.journal.add_event(self.study.name, "stopped", f"{candidate}: removed from the queue")
        elif launch.state in (LAUNCHED, LAUNCHING):
            self._stop_tuning_job(launch.tuning_job_name, candidate)
        self.refresh(wait=False)

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
        status = self.candidate_status(candidate)
        if status not in ("Failed", "Stopped"):
            raise UsageError(f"{candidate}: only a Failed or Stopped candidate can be retried (it is {status})")
        launch = self.journal.current_launches(self.study.name).get(candidate)
        if launch is not None and launch.state in (DROPPED, REFUSED):
            self.launcher.queue([candidate])
        else:
            self.launcher.queue_retry(candidate)
        self.refresh(wait=False)

    def retry_failed(self) -> list[str]:
        """`launch --retry-failed`: every Failed or Stopped candidate as a new generation."""
        retried = []
        for row in self.snapshot().tuning_jobs:
            if row.status in ("Failed", "Stopped") and row.candidate in {c.name for c in self.study.candidates}:
                self.retry(row.candidate)
                retried.append(row.candidate)
        return retried

    def candidate_status(self, candidate: str) -> str | None:
        for row in self.snapshot().tuning_jobs:
            if row.candidate == candidate:
                return row.status
        return None

    def logs(self, training_job_name: str, next_token: str | None = None) -> LogChunk:
        return self.log_reader.read(training_job_name, next_token)

    def metric_definitions(self, training_job_name: str) -> tuple:
        return self.definition_reader.read(training_job_name)

    def _training_terminal(self, name: str) -> bool:
        return any(t.training_job_name == name and t.status in TERMINAL_TRAINING for t in self.snapshot().training_jobs)

    # --- hosting: jstui.engine.deployments -----------------------------------------------------
    def deploy_defaults(self, candidate: str) -> DeployDefaults:
        from jstui.engine import deployments

        return deployments.deploy_defaults(self, candidate)

    def deploy(self, candidate: str, endpoint_name: str, instance_type: str, instance_count: int) -> None:
        from jstui.engine import deployments

        self._check_writable("deploy")
        deployments.deploy(self, candidate, endpoint_name, instance_type, instance_count)

    def smoke_invoke(self, endpoint_name: str) -> str:
        from jstui.engine import deployments

        return deployments.smoke_invoke(self, endpoint_name)

    def delete_endpoint(self, endpoint_name: str) -> None:
        from jstui.engine import deployments

        self._check_writable("delete an endpoint")
        deployments.delete_endpoint(self, endpoint_name)

    def hosting_usd_per_hour(self, instance_type: str, instance_count: int) -> float | None:
        return self.prices.hosting(instance_type, instance_count)

    def close(self) -> None:
        self.store.flush()
        with self._clients_lock:
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
        with service_errors(f"adopting tuning jobs named {prefix}*"):
            return adopt(self.launcher, prefix)

    # --- snapshots ---------------------------------------------------------------------------
    def _build(self, project: bool = True) -> StudySnapshot:
        study = self.study
        launches = self.journal.current_launches(study.name)
        tuning = self.journal.tuning_jobs(study.name)
        current_names = {l.tuning_job_name for l in launches.values()}
        earlier = tuple(
            l for l in self.journal.launches(study.name) if l.state == LAUNCHED and l.tuning_job_name not in current_names
        )
        terminal = self._terminal.read(self.journal)
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
                rows=self._rows,
                budget_usd=self.guard.budget_usd,
                budget_policy=self.guard.policy if self.guard.budget_usd else None,
                budget_state="stopped" if self.guard.stopped else "ok",
            )
        )
        snap = replace(snap, planned=self._planned())
        if self._waiting:  # why queued candidates wait (the budget's room): shown on their rows
            snap = replace(snap, tuning_jobs=tuple(
                replace(r, waiting_reason=r.waiting_reason or self._waiting)
                if r.tuning_job_name is None and r.status == QUEUED else r for r in snap.tuning_jobs))
        if not project:
            return snap
        return replace(snap, projected_usd=estimate.projected_usd(snap, self.price_of))

    def _planned(self) -> tuple:
        """The plan's figures per candidate (built once; the projection prices them with the session's table)."""
        if getattr(self, "_planned_cache", None) is None:
            from jstui.domain.catalog import Catalog
            from jstui.domain.prices import load_price_table
            from jstui.study import plan

            catalog = Catalog.load(self.study.emulator.catalogs) if self.study.emulator.catalogs else None
            self._planned_cache = plan.planned_candidates(
                plan.build_plan(self.study, catalog, load_price_table(self.home)), self.study)
        return self._planned_cache

    # --- helpers for commands ----------------------------------------------------------------
    def all_terminal(self) -> bool:
        """Nothing left to do: every queued candidate launched and every tuning job terminal."""
        pending = [l for l in self.journal.current_launches(self.study.name).values() if l.state in PENDING_STATES]
        if pending and not self.guard.stopped:
            return False
        rows = [r for r in self.snapshot().tuning_jobs if r.tuning_job_name]
        return all(r.status in TERMINAL_TUNING for r in rows)

    def find_candidate(self, text: str) -> str:
        """A candidate's name, a unique substring of it, or a training/tuning job name."""
        if not text.strip():  # "" is a substring of every name: an unset shell variable would pick one
            raise UsageError("the candidate given is empty (an unset shell variable?); name one")
        names = [c.name for c in self.study.candidates]
        if text in names:
            return text
        for t in self.snapshot().training_jobs:
            if t.training_job_name == text:
                return t.candidate
        for tj in self.snapshot().tuning_jobs:
            if tj.tuning_job_name == text:
                return tj.candidate
        matches = [n for n in names if text in n]
        if len(matches) == 1:
            return matches[0]
        if not matches:
            raise UsageError(f"{text}: no candidate of study {self.study.name!r} matches")
        raise UsageError(f"{text}: matches {len(matches)} candidates ({some_of(matches)}); be more specific")
