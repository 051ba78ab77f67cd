"""The launcher: queued candidates become tuning jobs, at most `max_parallel_tuning_jobs` in flight.

Each launch is journaled before (`launching`) and after (`launched`) its Create call. The name is a
pure function of (study, candidate, generation), so a process killed between the two finds
`launching`, calls Create again, meets `ResourceInUse`, checks the job's `jstui:study` tag and adopts
it: no job is lost and none is created twice. The account's tuning-job quota is waited out
(`WaitingForQuota`); an instance quota is not (ServiceRefused, exit 4)."""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import socket
import time
from dataclasses import dataclass
from typing import Any
from collections.abc import Callable

from botocore.exceptions import ClientError

from jstui.domain import naming
from jstui.aws.clients import Clients, service_errors
from jstui.aws.errors import ErrorKind, classify
from jstui.domain.errors import JstuiError, ServiceRefused
from jstui.engine.journal import (
    DROPPED,
    LAUNCHED,
    LAUNCHING,
    PENDING_STATES,
    QUEUED,
    REFUSED,
    WAITING,
    Journal,
    Launch,
    launch_recipe,
)
from jstui.domain.snapshot import TERMINAL_TUNING
from jstui.domain.model import Candidate, Study
from jstui.domain.budget import Room
from jstui.domain.tuning_request import (
    TAG_STUDY,
    budget_runtime_s,
    build_tuning_request,
    parallel_burn_usd_per_s,
    model_key,
    recipe_json,
)

log = logging.getLogger(__name__)

# A claim by a process on another host (a home on a shared disk) cannot be checked for liveness; it is
# honoured for this long after it was made, then taken over.
FOREIGN_CLAIM_S = 900.0
# ListTags right after a Create may not show the tags yet (the emulator's `tag_lag_s` fault models it);
# a job without our tag is read again after these waits before it is called another tool's.
TAG_WAITS_S = (1.0, 2.0, 4.0, 8.0)


def _start_ticks(pid: int) -> str | None:
    """The process's start time (clock ticks since boot, /proc/PID/stat field 22): with the pid it
    names one process, even after the pid is reused. None where /proc is not there (macOS)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def process_identity() -> str:
    """`host|pid|start` of this process, what a launch claim records."""
    pid = os.getpid()
    return f"{socket.gethostname()}|{pid}|{_start_ticks(pid) or '-'}"


def claim_alive(owner: str, claimed_at: float, now: float | None = None) -> bool:
    """Is the process that made this claim still running?"""
    try:
        host, pid_text, start = owner.split("|")
        pid = int(pid_text)
    except ValueError:
        return False
    if host != socket.gethostname():
        return (now if now is not None else time.time()) - claimed_at < FOREIGN_CLAIM_S
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OSError:
        return False
    return start == "-" or _start_ticks(pid) in (None, start)

JumpStartLookup = Callable[[Candidate], Any]  # -> core.jumpstart.JumpStartModel
ImageLookup = Callable[[str], str]  # algorithm -> training image


@dataclass
class LaunchReport:
    launched: list[str] = dataclasses.field(default_factory=list)  # candidates
    adopted: list[str] = dataclasses.field(default_factory=list)
    waiting: str | None = None  # why launching paused (the account's tuning-job quota)
    messages: list[str] = dataclasses.field(default_factory=list)


class Launcher:
    def __init__(
        self,
        clients: Clients,
        journal: Journal,
        study: Study,
        *,
        jumpstart_lookup: JumpStartLookup,
        image_lookup: ImageLookup,
        price_of: Callable[[str], float | None] = lambda _t: None,
        budget_usd: float | None = None,
    ):
        self.clients = clients
        self.journal = journal
        self.study = study
        self.jumpstart_lookup = jumpstart_lookup
        self.image_lookup = image_lookup
        self.price_of = price_of
        self.budget_usd = budget_usd
        self.halted = False  # set by the budget guard: nothing launches afterwards
        self.waiting_reason: str | None = None  # why no queued candidate fits the budget's room now
        self._tried: set[str] = set()  # names Created in this launch_ready call
        self.created: dict[str, dict] = {}  # tuning job name -> the request this process created it with
        self.identity = process_identity()
        self.sleep: Callable[[float], None] = time.sleep  # between ListTags retries (tests drive a clock)
        # The budget's room (jstui.domain.budget.room), read once per launch_ready; None: no budget.
        self.budget_room: Callable[[], Room | None] = lambda: None
        self._room: Room | None = None
        self._room_read = False
        self._allotted: dict[str, float] = {}  # candidate -> the budget its launch takes (this call)

    # --- queueing (journal only) ----------------------------------------------------------
    def launchable(self) -> list[str]:
        """The candidates `queue(None)` would queue now (journal only): never launched, or refused or
        dropped before anything was created under their name."""
        current = self.journal.current_launches(self.study.name)
        return [c.name for c in self.study.candidates
                if c.name not in current or current[c.name].state in (REFUSED, DROPPED)]

    def queue(self, candidates: list[str] | None = None) -> list[str]:
        """Queue candidates never launched (all when None); refused or dropped ones are requeued."""
        current = self.journal.current_launches(self.study.name)
        names = candidates if candidates is not None else [c.name for c in self.study.candidates]
        queued = []
        for cname in names:
            cand = self.study.candidate(cname)
            launch = current.get(cname)
            if launch is None:
                generation = 1
            elif launch.state in (REFUSED, DROPPED):
                generation = launch.generation  # same name: nothing was created under it
                self.journal.set_launch_state(self.study.name, cname, generation, QUEUED)
                queued.append(cname)
                continue
            else:
                continue
            name = naming.tuning_job_name(self.study.name, cname, generation)
            if self.journal.queue(self.study.name, cname, generation, name, model_key(cand), recipe=recipe_json(cand)):
                queued.append(cname)
        return queued

    def queue_retry(self, candidate: str) -> str:
        """A new generation of a candidate: a new name, so the failed job stays as it was."""
        cand = self.study.candidate(candidate)
        current = self.journal.current_launches(self.study.name).get(candidate)
        generation = (current.generation + 1) if current else 1
        name = naming.tuning_job_name(self.study.name, candidate, generation)
        self.journal.queue(self.study.name, candidate, generation, name, model_key(cand), recipe=recipe_json(cand))
        self.journal.add_event(self.study.name, "retry", f"{candidate}: queued again as {name} (generation {generation})")
        return name

    def drop(self, candidate: str) -> bool:
        current = self.journal.current_launches(self.study.name).get(candidate)
        if current is None or current.state not in (QUEUED, WAITING, REFUSED):
            return False
        self.journal.set_launch_state(self.study.name, candidate, current.generation, DROPPED, "stopped before launch")
        return True

    # --- launching --------------------------------------------------------------------------
    def in_flight(self) -> int:
        jobs = self.journal.tuning_jobs(self.study.name)
        busy = 0
        for launch in self.journal.current_launches(self.study.name).values():
            if launch.state == LAUNCHING:
                busy += 1
            elif launch.state == LAUNCHED:
                rec = jobs.get(launch.tuning_job_name)
                status = None
                if rec is not None:
                    status = (rec.describe or rec.summary or {}).get("HyperParameterTuningJobStatus")
                if status not in TERMINAL_TUNING:
                    busy += 1
        return busy

    def pending(self) -> list[Launch]:
        """Launches still to make, interrupted ones (`launching`) first, then in queue order."""
        current = self.journal.current_launches(self.study.name)
        order = {c.name: i for i, c in enumerate(self.study.candidates)}
        rows = [l for l in current.values() if l.state in PENDING_STATES and l.candidate in order]
        return sorted(rows, key=lambda l: (l.state != LAUNCHING, order[l.candidate]))

    def launch_ready(self) -> LaunchReport:
        """Launch pending candidates while slots are free. Raises ServiceRefused (after journaling
        the refusal) for what waiting cannot fix; connection and throttling errors propagate with
        the launch left `launching`, to be retried."""
        report = LaunchReport()
        if self.halted:
            return report
        self._tried = set()
        self._room, self._room_read = None, False  # read when a launch first needs it (it builds a snapshot)
        self._allotted = {}
        self.waiting_reason = None
        while True:
            launch = self._claim()
            if launch is None:
                report.waiting = report.waiting or self.waiting_reason
                return report
            if self._launch_one(launch, report) == "waiting":
                return report

    def _claim(self) -> Launch | None:
        """The next launch to make, marked `launching` in the same journal transaction that counted
        the slots, so two jstui processes on one home never exceed max_parallel_tuning_jobs.
        Interrupted launches (`launching`, e.g. after a kill -9) are retried first."""
        if self.budget_usd and not self._room_read and any(l.state != LAUNCHING for l in self.pending()):
            # read outside the transaction: it builds a snapshot from the journal
            self._room, self._room_read = self.budget_room(), True
        with self.journal.transaction():
            claims = self.journal.launch_claims(self.study.name)
            pending = [
                l for l in self.pending()
                if not (l.state == LAUNCHING and (l.candidate, l.generation) in claims
                        and claims[(l.candidate, l.generation)][0] != self.identity
                        and claim_alive(*claims[(l.candidate, l.generation)]))
            ]  # a launch another live session is making is its own: never Create it here as well
            if not pending:
                return None
            launch = pending[0]
            if launch.state == LAUNCHING and launch.tuning_job_name in self._tried:
                return None  # tried this cycle already (it failed): the next refresh retries it
            if launch.state != LAUNCHING:
                free = self.study.max_parallel_tuning_jobs - self.in_flight()
                if free <= 0:
                    return None
                if self._room is not None:  # the first queued candidate the budget's room can cap
                    admitted = self._admit([l for l in pending if l.state != LAUNCHING], free)
                    if admitted is None:
                        return None
                    launch = admitted
            self.journal.claim_launch(self.study.name, launch.candidate, launch.generation, self.identity)
            self._tried.add(launch.tuning_job_name)
            return launch

    def _admit(self, pending: list[Launch], free: int) -> Launch | None:
        """The first of `pending` whose cap the budget's room can take (jstui.domain.budget.Room.allot);
        None when none fits now (why: `self.waiting_reason`)."""
        room = self._room
        assert room is not None
        self.waiting_reason = None
        # First the candidates whose expected run fits; only when none does and nothing runs, the
        # rest of the budget for the first whose minimum fits.
        for last_resort in (False, True):
            for launch in pending:
                cand = self.study.candidate(launch.candidate)
                price = self.price_of(cand.resources.instance_type)
                if price is None:
                    return launch  # unpriced: no cap can be sized (the plan says so); the guard watches it
                burn = parallel_burn_usd_per_s(cand, price)
                usd = room.allot(cand.name, burn, share_n=min(free, len(pending)), last_resort=last_resort)
                if usd is not None:
                    self._allotted[cand.name] = usd
                    return launch
                if last_resort:
                    self.waiting_reason = self.waiting_reason or room.why_waiting(cand.name, burn)
            if room.running:  # running jobs will free room: wait for them
                first = self.study.candidate(pending[0].candidate)
                burn = parallel_burn_usd_per_s(first, self.price_of(first.resources.instance_type) or 0.0)
                self.waiting_reason = room.why_waiting(first.name, burn)
                return None
        return None

    def _launch_one(self, launch: Launch, report: LaunchReport) -> str:
        study, cname, gen = self.study.name, launch.candidate, launch.generation
        candidate = self.study.candidate(cname)
        self.journal.set_launch_state(study, cname, gen, LAUNCHING)
        try:
            request = self.request_for(candidate, launch.tuning_job_name)
        except JstuiError as exc:
            self.journal.set_launch_state(study, cname, gen, REFUSED, str(exc))
            self.journal.add_event(study, "refused", f"{cname}: {exc}")
            raise
        try:
            self.clients.sagemaker.create_hyper_parameter_tuning_job(**request)
        except ClientError as exc:
            err = classify(exc)
            if err.kind is ErrorKind.ALREADY_EXISTS:
                return self._adopt_existing(launch, report)
            if err.kind is ErrorKind.QUOTA:
                return self._quota(launch, candidate, err.message, report)
            if err.kind in (ErrorKind.INVALID, ErrorKind.DENIED, ErrorKind.NOT_FOUND):
                reason = f"{cname}: the service refused tuning job {launch.tuning_job_name}: {err}"
                self.journal.set_launch_state(study, cname, gen, REFUSED, reason)
                self.journal.add_event(study, "refused", reason)
                raise ServiceRefused(reason) from None
            with service_errors(f"creating tuning job {launch.tuning_job_name}"):
                raise
        except Exception:
            with service_errors(f"creating tuning job {launch.tuning_job_name}"):
                raise
        self.journal.set_launch_state(study, cname, gen, LAUNCHED)
        self.created[launch.tuning_job_name] = request
        self.journal.add_event(study, "launched", f"{cname}: launched {launch.tuning_job_name}")
        report.launched.append(cname)
        return "launched"

    def _adopt_existing(self, launch: Launch, report: LaunchReport) -> str:
        """The name is taken: ours (a launch interrupted after its Create) or someone else's."""
        study, name = self.study.name, launch.tuning_job_name
        with service_errors(f"checking the existing tuning job {name}"):
            arn = self.clients.sagemaker.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)[
                "HyperParameterTuningJobArn"
            ]
            tags = {t["Key"]: t["Value"] for t in self.clients.sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}
            for wait in TAG_WAITS_S:  # tags can show up a little after the job: read again before refusing
                if TAG_STUDY in tags:
                    break
                self.sleep(wait)
                tags = {t["Key"]: t["Value"] for t in self.clients.sagemaker.list_tags(ResourceArn=arn).get("Tags", [])}
        owner = tags.get(TAG_STUDY)
        if owner == study:
            self.journal.set_launch_state(study, launch.candidate, launch.generation, LAUNCHED)
            self.journal.add_event(study, "adopted", f"{launch.candidate}: {name} already existed (ours): adopted")
            report.adopted.append(launch.candidate)
            return "adopted"
        reason = (
            f"tuning job name {name} is taken by a job of "
            + (f"study {owner!r}" if owner else "another tool (no jstui:study tag)")
            + f"; rename study {study!r} or forget the other one"
        )
        self.journal.set_launch_state(study, launch.candidate, launch.generation, REFUSED, reason)
        self.journal.add_event(study, "refused", reason)
        raise ServiceRefused(reason)

    def _quota(self, launch: Launch, candidate: Candidate, message: str, report: LaunchReport) -> str:
        study = self.study.name
        itype = candidate.resources.instance_type
        if itype in message or "instance" in message.lower():
            reason = (
                f"{candidate.name}: instance quota: {message.strip()} — raise the SageMaker quota "
                f"'{itype} for training job usage' (Service Quotas) or choose another instance type"
            )
            self.journal.set_launch_state(study, candidate.name, launch.generation, REFUSED, reason)
            self.journal.add_event(study, "refused", reason)
            raise ServiceRefused(reason)
        reason = f"the account's concurrent tuning-job quota is reached ({message.strip()}); waiting for a slot"
        self.journal.set_launch_state(study, candidate.name, launch.generation, WAITING, reason)
        report.waiting = reason
        return "waiting"

    def request_for(self, candidate: Candidate, name: str) -> dict:
        if candidate.model_id:
            js, image = self.jumpstart_lookup(candidate), None
        else:
            js, image = None, self.image_lookup(candidate.algorithm or "")
        price = self.price_of(candidate.resources.instance_type)
        # The cap the budget's room allotted this launch (an interrupted launch retried, or no room
        # read: the whole budget, the most any one tuning job may take).
        allotted = self._allotted.get(candidate.name, self.budget_usd)
        runtime = budget_runtime_s(self.study, candidate, allotted, price)
        return build_tuning_request(self.study, candidate, name, jumpstart=js, builtin_image=image, max_runtime_s=runtime)


# --- what changed since the last launch (shown with the plan) ----------------------------------
def launch_changes(study: Study, journal: Journal) -> list[str]:
    """One line per difference between the study file and what was launched: candidates added
    (a launch would queue them), removed (their jobs are left alone), or whose recipe changed (the
    running job keeps its recipe; `--retry-failed` or a new candidate name would use the new one)."""
    current = journal.current_launches(study.name)
    if not current:
        return []
    lines = []
    names = {c.name for c in study.candidates}
    for c in study.candidates:
        launch = current.get(c.name)
        if launch is None:
            lines.append(f"+ {c.name}: new since the last launch; `launch --yes` queues it")
        elif launch.recipe and launch.recipe != recipe_json(c):
            old, new = launch_recipe(journal.path, launch), json.loads(recipe_json(c))
            what = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
            lines.append(
                f"~ {c.name}: {', '.join(what)} changed since {launch.tuning_job_name} was queued; it keeps its "
                "recipe (a retry of a Failed or Stopped job uses the new one)"
            )
    for cname in sorted(set(current) - names):
        lines.append(f"- {cname}: no longer in the study file; {current[cname].tuning_job_name} is left alone")
    return lines
