"""CloudWatch Logs (Logs_20140328) for training jobs: group `/aws/sagemaker/TrainingJobs`, one stream per
job, `<job>/algo-1-<epoch seconds>`. Timestamps in milliseconds; events appear as simulated time passes."""

from __future__ import annotations

import shlex

from jstui.emulator.api_tuning import find_training_job, plan_of
from jstui.emulator.errors import ServiceError
from jstui.emulator.paging import page
from jstui.emulator.schedule import DOWNLOADING_S, TrainingPlan
from jstui.emulator.views import ACCOUNT, lines_until, visible

GROUP = "/aws/sagemaker/TrainingJobs"


def _missing_group() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log group does not exist.")


def _missing_stream() -> ServiceError:
    return ServiceError("ResourceNotFoundException", "The specified log stream does not exist.")


def stream_name(job: TrainingPlan) -> str:
    return f"{job.name}/algo-1-{int(job.training_start + DOWNLOADING_S)}"


def _check_group(p: dict) -> None:
    if p.get("logGroupName", GROUP) != GROUP:
        raise _missing_group()


def _streams(emu, prefix: str = "") -> list[tuple[str, TrainingPlan]]:
    """Every stream with at least one event by now, narrowed by a name prefix."""
    now = emu.now()
    out = []
    for row in emu.store.tuning_jobs():
        if row["created"] > now:
            continue
        if prefix and not (prefix.startswith(row["name"]) or row["name"].startswith(prefix)):
            continue
        for j in visible(plan_of(emu, row), now):
            if j.lines and j.lines[0][0] <= now:
                s = stream_name(j)
                if s.startswith(prefix):
                    out.append((s, j))
    return out


def _events(job: TrainingPlan, now: float) -> list[dict]:
    return [
        {"timestamp": int(t * 1000), "message": m, "ingestionTime": int(t * 1000)}
        for t, m in lines_until(job, min(now, job.end))
    ]


def describe_log_streams(emu, p: dict, region: str) -> dict:
    _check_group(p)
    if p.get("logStreamNamePrefix") and p.get("orderBy") == "LastEventTime":
        raise ServiceError("InvalidParameterException",
                           "Cannot order by LastEventTime with a logStreamNamePrefix.")
    now = emu.now()
    rows = []
    for name, job in _streams(emu, p.get("logStreamNamePrefix") or ""):
        ev = _events(job, now)
        rows.append({
            "logStreamName": name,
            "creationTime": ev[0]["timestamp"],
            "firstEventTimestamp": ev[0]["timestamp"],
            "lastEventTimestamp": ev[-1]["timestamp"],
            "lastIngestionTime": ev[-1]["ingestionTime"],
            "arn": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{GROUP}:log-stream:{name}",
            "storedBytes": 0,
        })
    key = (lambda r: r["lastEventTimestamp"]) if p.get("orderBy") == "LastEventTime" else (lambda r: r["logStreamName"])
    rows.sort(key=key, reverse=bool(p.get("descending")))
    chunk, nxt = page(rows, p, {k: p.get(k) for k in ("logStreamNamePrefix", "orderBy", "descending")},
                      default_max=50, limit=50, token_key="nextToken", max_key="limit")
    resp: dict[str, object] = {"logStreams": chunk}
    if nxt:
        resp["nextToken"] = nxt
    return resp


def _job_of_stream(emu, stream: str) -> TrainingPlan:
    job_name = stream.split("/algo-1-", 1)[0]
    found = find_training_job(emu, job_name)
    if found is None or not found[2].lines or stream_name(found[2]) != stream or found[2].lines[0][0] > emu.now():
        raise _missing_stream()
    return found[2]


def get_log_events(emu, p: dict, region: str) -> dict:
    _check_group(p)
    job = _job_of_stream(emu, p["logStreamName"])
    events = [e for e in _events(job, emu.now())
              if (p.get("startTime") is None or e["timestamp"] >= p["startTime"])
              and (p.get("endTime") is None or e["timestamp"] < p["endTime"])]
    limit = p.get("limit") or 10000
    token = p.get("nextToken")
    if token:
        try:
            direction, pos = token.split("/", 1)
            pos = int(pos)
            assert direction in ("f", "b") and pos >= 0
        except (ValueError, AssertionError):
            raise ServiceError("InvalidParameterException", "The specified nextToken is invalid.") from None
        forward = direction == "f"
    else:
        forward = bool(p.get("startFromHead"))
        pos = 0 if forward else len(events)
    if forward:
        chunk, lo, hi = events[pos : pos + limit], pos, min(len(events), pos + limit)
    else:
        lo = max(0, pos - limit)
        chunk, hi = events[lo:pos], pos
    # as the service does: at the end of the stream the forward token comes back unchanged
    return {"events": chunk, "nextForwardToken": f"f/{hi}", "nextBackwardToken": f"b/{lo}"}


def _matches(pattern: str, message: str) -> bool:
    """CloudWatch's simple term syntax: every term (or quoted phrase) must occur."""
    if not pattern.strip():
        return True
    try:
        terms = shlex.split(pattern)
    except ValueError:
        terms = pattern.split()
    return all(t in message for t in terms)


def filter_log_events(emu, p: dict, region: str) -> dict:
    _check_group(p)
    if p.get("logStreamNames") and p.get("logStreamNamePrefix"):
        raise ServiceError("InvalidParameterException",
                           "logStreamNames and logStreamNamePrefix cannot both be specified.")
    now = emu.now()
    if p.get("logStreamNames"):
        wanted = set(p["logStreamNames"])
        streams = [(s, j) for s, j in _streams(emu) if s in wanted]
    else:
        streams = _streams(emu, p.get("logStreamNamePrefix") or "")
    events = []
    for name, job in streams:
        for i, e in enumerate(_events(job, now)):
            if p.get("startTime") is not None and e["timestamp"] < p["startTime"]:
                continue
            if p.get("endTime") is not None and e["timestamp"] > p["endTime"]:
                continue
            if _matches(p.get("filterPattern") or "", e["message"]):
                events.append({"logStreamName": name, **e, "eventId": f"{job.name}-{i:06d}"})
    events.sort(key=lambda e: (e["timestamp"], e["eventId"]))
    query = {k: p.get(k) for k in ("logStreamNames", "logStreamNamePrefix", "filterPattern", "startTime", "endTime")}
    chunk, nxt = page(events, p, query, default_max=10000, limit=10000, token_key="nextToken", max_key="limit")
    resp: dict[str, object] = {"events": chunk, "searchedLogStreams": [{"logStreamName": s, "searchedCompletely": True} for s, _ in streams]}
    if nxt:
        resp["nextToken"] = nxt
    return resp
