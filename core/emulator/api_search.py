"""SageMaker `Search` for the subset jstui sends: Resource `TrainingJob` and `HyperParameterTuningJob`,
a flat `SearchExpression` (Filters joined by And), sorting and NextToken paging up to 100 records.

Sources: botocore's model (sagemaker 2017-07-24, operation Search; shapes SearchRequest, SearchExpression,
Filter, SearchRecord, TrainingJob, HyperParameterTuningJobSearchEntity) and the API reference
(https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_Search.html): SortBy defaults to
LastModifiedTime, SortOrder to Descending; `In` takes comma-separated strings and, like `Contains`, is for
text properties only; GreaterThan/LessThan(OrEqualTo) are not for text; a SearchExpression may hold only one
`Contains` for these resources ("'CONTAINS' operator usage limit of 1 exceeded.").

Search reads an index the service updates after the fact, so a record may trail what Describe says
(`FaultSettings.search_lag_s`, simulated seconds): records are what Describe answered that long ago, and
jobs created since are missing. What the emulator does not implement (other resources, nested filters,
sub-expressions, Or, Exists/NotExists, properties other than those below) answers ValidationException
naming what is unsupported, so a client relying on more is caught here rather than in production."""

from __future__ import annotations

from datetime import datetime

from jstui.emulator.api_tuning import plan_of
from jstui.emulator.errors import validation
from jstui.emulator.paging import page
from jstui.emulator.shapes import shape
from jstui.emulator.views import arn, describe_training, describe_tuning, last_modified, visible

TEXT = "text"
TIME = "time"
# Filterable / sortable properties per resource: name -> kind.
PROPERTIES = {
    "TrainingJob": {
        "TrainingJobName": TEXT,
        "TrainingJobArn": TEXT,
        "TuningJobArn": TEXT,
        "TrainingJobStatus": TEXT,
        "CreationTime": TIME,
        "LastModifiedTime": TIME,
    },
    "HyperParameterTuningJob": {
        "HyperParameterTuningJobName": TEXT,
        "HyperParameterTuningJobArn": TEXT,
        "HyperParameterTuningJobStatus": TEXT,
        "CreationTime": TIME,
        "LastModifiedTime": TIME,
    },
}
TEXT_OPS = {"Equals", "NotEquals", "Contains", "In"}
TIME_OPS = {"Equals", "NotEquals", "GreaterThan", "GreaterThanOrEqualTo", "LessThan", "LessThanOrEqualTo"}
DEFAULT_MAX = 10
LIMIT = 100
# A training job's record no longer changes once it has ended: built once (a catch-up reads 20,000).
_ENDED: dict[tuple, dict] = {}
_ENDED_MAX = 50_000


def _unsupported(what: str) -> Exception:
    return validation(f"Search: {what} is not supported by the jstui emulator")


def _time_value(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        pass
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise validation(f"Search: {text!r} is not a timestamp") from None


def _predicates(resource: str, expression: dict) -> list:
    if expression.get("NestedFilters"):
        raise _unsupported("SearchExpression.NestedFilters")
    if expression.get("SubExpressions"):
        raise _unsupported("SearchExpression.SubExpressions")
    if expression.get("Operator", "And") != "And":
        raise _unsupported(f"SearchExpression.Operator {expression['Operator']}")
    filters = expression.get("Filters") or []
    if not filters:
        raise validation("SearchExpression must contain at least one Filter, NestedFilter or SubExpression")
    if sum(1 for f in filters if f.get("Operator") == "Contains") > 1:
        raise validation("'CONTAINS' operator usage limit of 1 exceeded.")
    props = PROPERTIES[resource]
    out = []
    for f in filters:
        name, op, value = f["Name"], f.get("Operator"), f.get("Value")
        if op is None and value is not None:
            op = "Equals"  # Filter doc: a Value without an Operator means Equals
        kind = props.get(name)
        if kind is None:
            raise _unsupported(f"filtering {resource} on {name!r} (supported: {', '.join(props)})")
        if op not in (TEXT_OPS if kind == TEXT else TIME_OPS):
            if op in ("Exists", "NotExists"):
                raise _unsupported(f"operator {op}")
            raise validation(f"Search: operator {op} is not supported for the {kind} property {name}")
        if value is None:
            raise validation(f"Search: filter on {name} with operator {op} needs a Value")
        out.append((name, op, _time_value(value) if kind == TIME else value))
    return out


def _matches(item: dict, predicates: list) -> bool:
    for name, op, value in predicates:
        have = item[name]
        if op == "Equals":
            ok = have == value
        elif op == "NotEquals":
            ok = have != value
        elif op == "Contains":
            ok = value in have
        elif op == "In":
            ok = have in [v.strip() for v in value.split(",")]
        elif op == "GreaterThan":
            ok = have > value
        elif op == "GreaterThanOrEqualTo":
            ok = have >= value
        elif op == "LessThan":
            ok = have < value
        else:
            ok = have <= value
        if not ok:
            return False
    return True


def _top_level(shape_name: str, described: dict) -> dict:
    """A Describe answer as a Search record: the record's shape has the same member shapes as the
    Describe response (already fitted), so only its top-level members are kept."""
    members = shape("sagemaker", shape_name).members
    return {k: v for k, v in described.items() if k in members}


def search(emu, p: dict, region: str) -> dict:
    resource = p["Resource"]
    if resource not in PROPERTIES:
        raise _unsupported(f"Resource {resource}")
    if p.get("CrossAccountFilterOption") == "CrossAccount":
        raise _unsupported("CrossAccountFilterOption CrossAccount")
    if p.get("VisibilityConditions"):
        raise _unsupported("VisibilityConditions")
    predicates = _predicates(resource, p["SearchExpression"]) if "SearchExpression" in p else []
    sort_by = p.get("SortBy", "LastModifiedTime")
    if sort_by not in PROPERTIES[resource]:
        raise _unsupported(f"SortBy {sort_by!r} for {resource} (supported: {', '.join(PROPERTIES[resource])})")
    at = emu.now() - float(emu.faults.settings.search_lag_s or 0.0)  # the index trails the service
    # Index entries: the filterable properties plus what builds the full record, for the page only.
    items: list[dict] = []
    # Only an index lookup, not a semantic: skip tuning jobs a TuningJobArn filter rules out.
    arns = None
    for name, op, value in predicates:
        if name == "TuningJobArn" and op in ("Equals", "In"):
            wanted = {value} if op == "Equals" else {v.strip() for v in value.split(",")}
            arns = wanted if arns is None else arns & wanted
    # What the name, ARN and creation time rule out is skipped before a tuning job's request is decoded
    # (a catch-up pages through 1,000 of them; each page would otherwise decode them all).
    cheap = {"HyperParameterTuningJobName", "HyperParameterTuningJobArn", "CreationTime"}
    early = [p for p in predicates if p[0] in cheap] if resource == "HyperParameterTuningJob" else []
    for name, tuning_arn, created in emu.store.tuning_job_keys():
        if created > at or (arns is not None and tuning_arn not in arns):
            continue
        if early and not _matches({"HyperParameterTuningJobName": name, "HyperParameterTuningJobArn": tuning_arn,
                                   "CreationTime": created}, early):
            continue
        row = emu.store.tuning_job(name)
        if row is None:
            continue  # deleted meanwhile
        plan = plan_of(emu, row)
        if resource == "HyperParameterTuningJob":
            item = {
                "HyperParameterTuningJobName": row["name"],
                "HyperParameterTuningJobArn": row["arn"],
                "HyperParameterTuningJobStatus": plan.status_at(at),
                "CreationTime": row["created"],
                "LastModifiedTime": last_modified(plan, at),
                "_src": (row, plan, None),
            }
            if _matches(item, predicates):
                items.append(item)
            continue
        for job in visible(plan, at):
            item = {
                "TrainingJobName": job.name,
                "TrainingJobArn": arn(region, "training-job", job.name),
                "TuningJobArn": row["arn"],
                "TrainingJobStatus": job.status_at(at),
                "CreationTime": job.created,
                "LastModifiedTime": max([job.created] + [t.start for t in job.transitions if t.start <= at]),
                "_src": (row, plan, job),
            }
            if _matches(item, predicates):
                items.append(item)
    name_key = "TrainingJobName" if resource == "TrainingJob" else "HyperParameterTuningJobName"
    items.sort(key=lambda i: (i[sort_by], i[name_key]), reverse=p.get("SortOrder", "Descending") == "Descending")
    query = {"Resource": resource, "SearchExpression": p.get("SearchExpression"), "SortBy": sort_by,
             "SortOrder": p.get("SortOrder")}
    chunk, nxt = page(items, p, query, default_max=DEFAULT_MAX, limit=LIMIT)
    results = []
    for item in chunk:
        row, plan, job = item["_src"]
        if job is None:
            entity = _top_level("HyperParameterTuningJobSearchEntity", describe_tuning(row, plan, region, at))
            results.append({"HyperParameterTuningJob": entity})
        else:
            key = (row["arn"], job.name, job.end, region)
            record: dict | None = _ENDED.get(key) if at >= job.end else None
            if record is None:
                record = _top_level("TrainingJob", describe_training(job, plan, row, region, at))
                if at >= job.end:
                    if len(_ENDED) >= _ENDED_MAX:
                        _ENDED.clear()
                    _ENDED[key] = record
            results.append({"TrainingJob": record})
    resp: dict = {"Results": results}
    if nxt:
        resp["NextToken"] = nxt
    return resp
