"""The preflight of `jstui doctor STUDY` (docs/doctor.md): what can be checked before a cent is spent
on a real account. Each check gives one `Check`: ok (✓), fail (✗, with the fix), unknown (?, it
could not be verified, and why) or n/a (–, it does not apply to this backend).

Every call here goes through the client factory's clients (`Clients.other` for STS, IAM, S3 and
Service Quotas, which the study itself never calls). Nothing here spends money: the only write is
a small marker object in the output prefix, deleted at once.

`API_CALLS` is the one list of the API operations jstui makes for a study (launch, poll, logs,
deploy, prices); tests/doctor/test_api_calls.py derives the same list from the code's client calls
and fails when the two differ."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any, Literal
from collections.abc import Callable, Iterable
from urllib.parse import unquote

from botocore.exceptions import BotoCoreError, ClientError

from jstui.aws.clients import Clients, error_code, error_message, is_expired_credentials, is_unreachable, renew_hint
from jstui.aws.errors import ErrorKind, classify, is_not_found
from jstui.domain import naming
from jstui.domain.endpoints import suggest_endpoint_name
from jstui.domain.model import Study
from jstui.domain.textfmt import printable
from jstui.domain.prices import HOSTING, SHIPPED_PRICES_REGION, TRAINING, PriceTable

Result = Literal["ok", "fail", "unknown", "n/a"]
OK: Result = "ok"
FAIL: Result = "fail"
UNKNOWN: Result = "unknown"
NA: Result = "n/a"
GLYPHS = {OK: "✓", FAIL: "✗", UNKNOWN: "?", NA: "–"}


@dataclass(frozen=True)
class Check:
    name: str
    result: Result
    detail: str
    fix: str = ""
    optional: bool = False  # a failure does not fail the preflight (only some commands need it)


# --- the API jstui calls ------------------------------------------------------------------------
# (botocore service name, operation, IAM resource type or None for "*", group). IAM actions are
# `<prefix>:<operation>`; resource types and "List* calls take no resource-level restriction except
# ListTags" from AWS's "Amazon SageMaker AI API Permissions: Actions, Permissions, and Resources
# Reference"; CloudWatch Logs' from the Service Authorization Reference (log-group / log-stream).
STUDY, DEPLOY, PRICES = "run the study", "deploy (d / jstui deploy)", "jstui prices --refresh"
# Optional: without Search the poller describes jobs one by one (docs/performance-real-service.md).
CATCH_UP = "catch up by Search (optional)"
API_CALLS: tuple[tuple[str, str, str | None, str], ...] = (
    ("sagemaker", "CreateHyperParameterTuningJob", "hyper-parameter-tuning-job", STUDY),
    ("sagemaker", "DescribeHyperParameterTuningJob", "hyper-parameter-tuning-job", STUDY),
    ("sagemaker", "ListHyperParameterTuningJobs", None, STUDY),
    ("sagemaker", "ListTrainingJobsForHyperParameterTuningJob", "hyper-parameter-tuning-job", STUDY),
    ("sagemaker", "StopHyperParameterTuningJob", "hyper-parameter-tuning-job", STUDY),
    ("sagemaker", "DescribeTrainingJob", "training-job", STUDY),
    ("sagemaker", "ListTags", "hyper-parameter-tuning-job", STUDY),
    ("logs", "DescribeLogStreams", "log-group", STUDY),
    ("logs", "GetLogEvents", "log-stream", STUDY),
    ("sagemaker", "CreateModel", "model", DEPLOY),
    ("sagemaker", "DescribeModel", "model", DEPLOY),
    ("sagemaker", "DeleteModel", "model", DEPLOY),
    ("sagemaker", "CreateEndpointConfig", "endpoint-config", DEPLOY),
    ("sagemaker", "DescribeEndpointConfig", "endpoint-config", DEPLOY),
    ("sagemaker", "DeleteEndpointConfig", "endpoint-config", DEPLOY),
    ("sagemaker", "CreateEndpoint", "endpoint", DEPLOY),
    ("sagemaker", "DescribeEndpoint", "endpoint", DEPLOY),
    ("sagemaker", "DeleteEndpoint", "endpoint", DEPLOY),
    ("sagemaker", "ListEndpoints", None, DEPLOY),
    ("sagemaker", "ListModels", None, DEPLOY),  # `jstui endpoints`: leftovers of jstui's own
    ("sagemaker", "ListEndpointConfigs", None, DEPLOY),
    ("sagemaker-runtime", "InvokeEndpoint", "endpoint", DEPLOY),
    ("pricing", "GetProducts", None, PRICES),
    ("sagemaker", "Search", None, CATCH_UP),
)
IAM_PREFIX = {"sagemaker": "sagemaker", "sagemaker-runtime": "sagemaker", "logs": "logs", "pricing": "pricing"}
# Not an API call of its own: every Create above carries Tags, and tagging on creation needs
# sagemaker:AddTags on the new resource (AWS, "Provide permissions for tagging SageMaker AI resources").
TAG_ON_CREATE = (("sagemaker:AddTags", "hyper-parameter-tuning-job", STUDY), ("sagemaker:AddTags", "endpoint", DEPLOY))

# What the execution role needs while SageMaker runs the training jobs and endpoints (AWS, "How to use
# SageMaker AI execution roles": CreateTrainingJob / CreateModel permissions). Simulated on the role.
ROLE_DATA_ACTIONS = ("s3:GetObject", "s3:ListBucket")
ROLE_OUTPUT_ACTIONS = ("s3:PutObject",)
ROLE_SERVICE_ACTIONS = (
    "logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "cloudwatch:PutMetricData",
    "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage",
)  # fmt: skip
SAGEMAKER_PRINCIPAL = "sagemaker.amazonaws.com"
QUOTA_SERVICE = "sagemaker"
MARKER_PREFIX = ".jstui-doctor-"


def iam_actions(group: str | None = None) -> list[str]:
    """The IAM actions of the API calls (of one group), sorted, without duplicates."""
    names = {f"{IAM_PREFIX[svc]}:{op}" for svc, op, _, g in API_CALLS if group in (None, g)}
    names |= {a for a, _, g in TAG_ON_CREATE if group in (None, g)}
    return sorted(names)


# --- text ----------------------------------------------------------------------------------------
def safe(text: Any, limit: int = 300) -> str:
    """Service text made safe for one terminal line (`textfmt.printable`, newlines escaped too), cut
    to `limit` characters."""
    flat = printable(text, newlines=False)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def format_check(c: Check) -> str:
    line = f"{GLYPHS[c.result]} {c.name}: {safe(c.detail)}"
    if c.result == FAIL and c.fix:
        line += f" — fix: {safe(c.fix)}"
    if c.result == FAIL and c.optional:
        line += " (optional)"
    return line


def _err(exc: BaseException) -> str:
    if isinstance(exc, ClientError):
        return safe(f"{error_code(exc)}: {error_message(exc)}")
    return safe(str(exc))


def _denied(exc: BaseException) -> bool:
    return classify(exc).kind is ErrorKind.DENIED


# --- ARNs ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """Where the study's resources will live, for resource-level simulation."""

    partition: str
    region: str
    account: str
    tuning_job: str  # a name jstui would use (its first candidate's)
    training_job: str
    endpoint: str
    log_group: str

    def arn(self, resource_type: str | None) -> str:
        base = f"arn:{self.partition}:sagemaker:{self.region}:{self.account}"
        logs = f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{self.log_group}"
        return {
            None: "*",
            "hyper-parameter-tuning-job": f"{base}:hyper-parameter-tuning-job/{self.tuning_job}",
            "training-job": f"{base}:training-job/{self.training_job}",
            "model": f"{base}:model/{self.endpoint}",
            "endpoint-config": f"{base}:endpoint-config/{self.endpoint}",
            "endpoint": f"{base}:endpoint/{self.endpoint}",
            "log-group": f"{logs}:*",
            "log-stream": f"{logs}:log-stream:{self.training_job}/algo-1-0000000000",
        }[resource_type]


def target_for(study: Study, account: str, partition: str, region: str, log_group: str) -> Target:
    first = study.candidates[0].name if study.candidates else "model"
    tuning = naming.tuning_job_name(study.name, first, 1)
    # SageMaker names a tuning job's training jobs `<tuning job>-<NNN>-<8 hex>`.
    return Target(partition, region, account, tuning, f"{tuning}-001-0123abcd",
                  suggest_endpoint_name(study.name, first), log_group)


def principal_arn(caller_arn: str, iam: Any) -> tuple[str | None, str]:
    """The IAM ARN to simulate for the caller's STS ARN, or (None, why not)."""
    parts = caller_arn.split(":", 5)
    if len(parts) < 6:
        return None, f"unrecognised caller ARN {caller_arn}"
    partition, service, account, resource = parts[1], parts[2], parts[4], parts[5]
    if service == "iam" and resource.startswith("user/"):
        return caller_arn, ""
    if service == "iam" and resource == "root":
        return None, "the account's root user cannot be simulated (AWS advises against using it)"
    if service == "sts" and resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1]
        try:  # the role's ARN carries its path (SSO roles live under /aws-reserved/...)
            return iam.get_role(RoleName=role_name)["Role"]["Arn"], ""
        except (ClientError, BotoCoreError):
            return f"arn:{partition}:iam::{account}:role/{role_name}", ""
    return None, f"cannot simulate the policies of {caller_arn}"


# --- simulation ----------------------------------------------------------------------------------
def simulate(iam: Any, principal: str, actions: Iterable[str], resource: str,
             context: list[dict] | None = None) -> dict[str, str]:
    """action -> EvalDecision ("allowed", "explicitDeny", "implicitDeny") for one resource."""
    kwargs: dict[str, Any] = {"PolicySourceArn": principal, "ActionNames": sorted(set(actions)), "ResourceArns": [resource]}
    if context:
        kwargs["ContextEntries"] = context
    out: dict[str, str] = {}
    while True:
        page = iam.simulate_principal_policy(**kwargs)
        for r in page.get("EvaluationResults", []):
            if r["EvalActionName"] in kwargs["ActionNames"]:
                out[r["EvalActionName"]] = r["EvalDecision"]
        if not page.get("IsTruncated"):
            return out
        kwargs["Marker"] = page["Marker"]


def _decisions_line(decisions: dict[str, str]) -> str:
    denied = sorted(a for a, d in decisions.items() if d != "allowed")
    return ", ".join(f"{a} ({decisions[a]})" for a in denied)


# --- planned parallelism -----------------------------------------------------------------------
def planned_training_instances(study: Study) -> dict[tuple[str, bool], int]:
    """(instance type, spot) -> instances the study may run at once: at most
    max_parallel_tuning_jobs tuning jobs at a time, each with max_parallel_jobs training jobs of
    instance_count instances; the worst case takes the largest candidates of each type."""
    per: dict[tuple[str, bool], list[int]] = {}
    for c in study.candidates:
        key = (c.resources.instance_type, c.resources.spot)
        per.setdefault(key, []).append(c.tuning.max_parallel_jobs * c.resources.instance_count)
    k = max(1, study.max_parallel_tuning_jobs)
    return {key: sum(sorted(v, reverse=True)[:k]) for key, v in per.items()}


def quota_name(instance_type: str, usage: str) -> str:
    """Service Quotas' names for SageMaker instance quotas, e.g. "ml.p3.2xlarge for training job usage",
    "... for spot training job usage", "... for endpoint usage"."""
    return f"{instance_type} for {usage} usage"


def _quota_values(sq: Any) -> dict[str, tuple[float, str]]:
    """Quota name -> (value, code): the applied values, then AWS's defaults for the quotas that have
    none (ListServiceQuotas lists a quota only when an applied value is available)."""
    out: dict[str, tuple[float, str]] = {}
    for op in ("list_service_quotas", "list_aws_default_service_quotas"):
        kwargs: dict[str, Any] = {"ServiceCode": QUOTA_SERVICE, "MaxResults": 100}
        while True:
            page = getattr(sq, op)(**kwargs)
            for q in page.get("Quotas", []):
                name = q.get("QuotaName")
                if name and name not in out and q.get("Value") is not None:
                    out[name] = (float(q["Value"]), q.get("QuotaCode", ""))
            token = page.get("NextToken")
            if not token:
                break
            kwargs["NextToken"] = token
    return out


# --- the preflight -----------------------------------------------------------------------------
@dataclass
class Inputs:
    """What the checks read besides the clients; the CLI builds it (it may read the engine's
    constants, which this layer may not import)."""

    study: Study
    channels: dict[str, str]  # channel name -> S3 URI (every channel any candidate sends)
    prices: PriceTable
    hosting_instance_types: dict[str, str]  # candidate -> default hosting instance type
    jumpstart_lookup: Callable[[Any], Any]  # candidate -> JumpStartModel (raises JstuiError)
    log_group: str
    region_source: str = "the study"


def _split_s3(uri: str) -> tuple[str, str]:
    rest = uri[len("s3://"):] if uri.startswith("s3://") else uri
    bucket, _, key = rest.partition("/")
    return bucket, key


# What a check is called when it could not finish (its own lines name it the same way).
STEP_NAMES = {
    "identity": "identity", "region": "region", "sagemaker_answers": "SageMaker API", "logs_answer": "CloudWatch Logs",
    "role": "execution role", "pass_role": "pass role", "permissions": "permissions",
    "role_permissions": "execution role's access", "channels": "data channels", "output": "output prefix",
    "quotas": "quotas", "jumpstart": "JumpStart metadata", "prices": "prices",
}  # fmt: skip


class Preflight:
    def __init__(self, clients: Clients, inputs: Inputs):
        self.clients = clients
        self.inputs = inputs
        self.study = inputs.study
        self.emulator = clients.backend == "emulator"
        self.account: str | None = None
        self.caller_arn: str | None = None
        self.partition = "aws"
        self.role_exists = False

    def run(self) -> list[Check]:
        out: list[Check] = []
        for step in (self.identity, self.region, self.sagemaker_answers, self.logs_answer, self.role,
                     self.pass_role, self.permissions, self.role_permissions, self.channels, self.output,
                     self.quotas, self.jumpstart, self.prices):  # fmt: skip
            try:
                out.extend(step())
            except (ClientError, BotoCoreError) as exc:  # a check that could not finish: say so, go on
                out.append(Check(STEP_NAMES.get(step.__name__, step.__name__), UNKNOWN, f"could not be verified: {_err(exc)}"))
        return out

    def _not_here(self, name: str, what: str) -> list[Check]:
        return [Check(name, NA, f"does not apply to the emulator backend ({what})")]

    def _expired_fix(self, exc: BaseException) -> str:
        if is_expired_credentials(exc):
            return renew_hint(self.clients.profile, self.clients.credential_method, self.clients.session)
        if is_unreachable(exc) and not isinstance(exc, ClientError):
            return "check your network connection, proxy (HTTPS_PROXY) or --endpoint-url"
        return "check --profile / AWS_PROFILE, or run `aws configure`"

    # --- identity and region ------------------------------------------------------------------
    def identity(self) -> list[Check]:
        if self.emulator:
            return self._not_here("identity", "the emulator checks no credentials; jstui sends it dummy keys")
        try:
            who = self.clients.other("sts").get_caller_identity()
        except (ClientError, BotoCoreError) as exc:
            return [Check("identity", FAIL, f"STS GetCallerIdentity failed: {_err(exc)}", self._expired_fix(exc))]
        self.account, self.caller_arn = who.get("Account"), who.get("Arn")
        self.partition = (self.caller_arn or "arn:aws").split(":")[1] or "aws"
        role_account = self.study.role_arn.split(":")[4] if self.study.role_arn.count(":") >= 5 else None
        detail = f"account {self.account} as {self.caller_arn}"
        if self.clients.profile:
            detail += f" (profile {self.clients.profile})"
        if role_account and role_account != self.account:
            return [Check("identity", FAIL, detail + f"; the study's role_arn is in account {role_account}",
                          "use a profile of the role's account, or set [study] role_arn to a role of this one")]
        return [Check("identity", OK, detail)]

    def region(self) -> list[Check]:
        region = self.clients.region
        session = self.clients.session  # botocore's endpoint data: no call
        known = set(session.get_available_regions("sagemaker", partition_name=self.partition))
        known |= set(session.get_available_regions("sagemaker"))
        if region in known:
            return [Check("region", OK, f"{region} (from {self.inputs.region_source}); SageMaker is offered there")]
        return [Check("region", FAIL, f"{region!r} (from {self.inputs.region_source}) is not a SageMaker region "
                      "in botocore's endpoint data", "set [study] region or --region to a SageMaker region")]

    # --- the service answers --------------------------------------------------------------------
    def sagemaker_answers(self) -> list[Check]:
        where = f" at {self.clients.endpoint_url}" if self.clients.endpoint_url else ""
        try:
            self.clients.sagemaker.list_hyper_parameter_tuning_jobs(MaxResults=1)
        except (ClientError, BotoCoreError) as exc:
            fix = self._expired_fix(exc) if not isinstance(exc, ClientError) or _denied(exc) or is_expired_credentials(exc) \
                else "see the error"
            return [Check("SageMaker API", FAIL, f"ListHyperParameterTuningJobs{where} failed: {_err(exc)}", fix)]
        return [Check("SageMaker API", OK, f"ListHyperParameterTuningJobs{where} answered")]

    def logs_answer(self) -> list[Check]:
        try:
            self.clients.logs.describe_log_streams(logGroupName=self.inputs.log_group, limit=1)
        except ClientError as exc:
            if is_not_found(exc):
                return [Check("CloudWatch Logs", OK, f"answered; {self.inputs.log_group} does not exist yet "
                              "(SageMaker creates it with the first training job)")]
            return [Check("CloudWatch Logs", FAIL, f"DescribeLogStreams failed: {_err(exc)}",
                          "allow logs:DescribeLogStreams and logs:GetLogEvents (jstui reads training logs)")]
        return [Check("CloudWatch Logs", OK, f"DescribeLogStreams on {self.inputs.log_group} answered")]

    # --- the execution role ---------------------------------------------------------------------
    def _role_name(self) -> str:
        return self.study.role_arn.rsplit("/", 1)[-1]

    def role(self) -> list[Check]:
        if self.emulator:
            return self._not_here("execution role", "the emulator has no IAM; it accepts any role ARN")
        name = self._role_name()
        try:
            role = self.clients.other("iam").get_role(RoleName=name)["Role"]
        except ClientError as exc:
            if is_not_found(exc):  # IAM: NoSuchEntity
                return [Check("execution role", FAIL, f"{self.study.role_arn} does not exist",
                              "create a SageMaker execution role (IAM console, \"SageMaker - Execution\") "
                              "and set [study] role_arn to its ARN")]
            return [Check("execution role", UNKNOWN, f"iam:GetRole of {name} failed: {_err(exc)}")]
        self.role_exists = True
        if role.get("Arn") and role["Arn"] != self.study.role_arn:
            return [Check("execution role", FAIL, f"[study] role_arn {self.study.role_arn} but the role {name} is "
                          f"{role['Arn']}", f"set [study] role_arn = \"{role['Arn']}\"")]
        doc = role.get("AssumeRolePolicyDocument") or {}
        if isinstance(doc, str):  # IAM sends it URL-encoded; botocore usually decodes it already
            doc = json.loads(unquote(doc))
        if not _trusts(doc, SAGEMAKER_PRINCIPAL):
            return [Check("execution role", FAIL, f"{name} exists but its trust policy does not let "
                          f"{SAGEMAKER_PRINCIPAL} assume it",
                          f"add {SAGEMAKER_PRINCIPAL} as a trusted service principal (sts:AssumeRole) to the role")]
        return [Check("execution role", OK, f"{name} exists and trusts {SAGEMAKER_PRINCIPAL}")]

    def _principal(self) -> tuple[str | None, str]:
        if not self.caller_arn:
            return None, "the caller's identity is unknown"
        return principal_arn(self.caller_arn, self.clients.other("iam"))

    def pass_role(self) -> list[Check]:
        if self.emulator:
            return self._not_here("pass role", "no IAM")
        principal, why = self._principal()
        if principal is None:
            return [Check("pass role", UNKNOWN, f"iam:PassRole not simulated: {why}")]
        context = [{"ContextKeyName": "iam:PassedToService", "ContextKeyValues": [SAGEMAKER_PRINCIPAL],
                    "ContextKeyType": "string"}]
        try:
            d = simulate(self.clients.other("iam"), principal, ["iam:PassRole"], self.study.role_arn, context)
        except ClientError as exc:
            return [Check("pass role", UNKNOWN, f"iam:SimulatePrincipalPolicy not permitted or failed: {_err(exc)}")]
        decision = d.get("iam:PassRole", "implicitDeny")
        if decision == "allowed":
            return [Check("pass role", OK, f"you may pass {self._role_name()} to SageMaker (simulated)")]
        return [Check("pass role", FAIL, f"iam:PassRole on {self.study.role_arn} is not allowed ({decision}, simulated)",
                      f"allow iam:PassRole on {self.study.role_arn} (condition iam:PassedToService = {SAGEMAKER_PRINCIPAL})")]

    def permissions(self) -> list[Check]:
        if self.emulator:
            return self._not_here("permissions", "no IAM")
        principal, why = self._principal()
        if principal is None:
            return [Check(f"permissions to {g}", UNKNOWN, f"not simulated: {why}") for g in (STUDY, DEPLOY, PRICES, CATCH_UP)]
        target = target_for(self.study, self.account or "", self.partition, self.clients.region, self.inputs.log_group)
        iam = self.clients.other("iam")
        out: list[Check] = []
        for group in (STUDY, DEPLOY, PRICES, CATCH_UP):
            by_resource: dict[str, list[str]] = {}
            for svc, op, rtype, g in API_CALLS:
                if g == group:
                    by_resource.setdefault(target.arn(rtype), []).append(f"{IAM_PREFIX[svc]}:{op}")
            for action, rtype, g in TAG_ON_CREATE:
                if g == group:
                    by_resource.setdefault(target.arn(rtype), []).append(action)
            decisions: dict[str, str] = {}
            try:
                for resource, actions in by_resource.items():
                    decisions.update(simulate(iam, principal, actions, resource))
            except ClientError as exc:
                out.append(Check(f"permissions to {group}", UNKNOWN,
                                 f"iam:SimulatePrincipalPolicy not permitted or failed: {_err(exc)}", optional=group != STUDY))
                continue
            denied = _decisions_line(decisions)
            name = f"permissions to {group}"
            if not denied:
                out.append(Check(name, OK, f"{len(decisions)} actions allowed (simulated)"))
            else:
                out.append(Check(name, FAIL, f"not allowed (simulated): {denied}",
                                 "grant these actions to " + principal, optional=group in (PRICES, CATCH_UP)))
        return out

    def role_permissions(self) -> list[Check]:
        if self.emulator:
            return self._not_here("execution role's access", "no IAM or S3")
        if not self.role_exists:
            return [Check("execution role's access", UNKNOWN, "not simulated: the role could not be read")]
        iam = self.clients.other("iam")
        decisions: dict[str, str] = {}
        try:
            for uri in self.inputs.channels.values():
                bucket, key = _split_s3(uri)
                decisions.update({f"{a} {uri}": d for a, d in simulate(
                    iam, self.study.role_arn, ["s3:GetObject"], f"arn:{self.partition}:s3:::{bucket}/{key}*").items()})
                decisions.update({f"{a} s3://{bucket}": d for a, d in simulate(
                    iam, self.study.role_arn, ["s3:ListBucket"], f"arn:{self.partition}:s3:::{bucket}").items()})
            bucket, key = _split_s3(self.study.output_s3)
            decisions.update({f"{a} {self.study.output_s3}": d for a, d in simulate(
                iam, self.study.role_arn, ROLE_OUTPUT_ACTIONS, f"arn:{self.partition}:s3:::{bucket}/{key}*").items()})
            decisions.update(simulate(iam, self.study.role_arn, ROLE_SERVICE_ACTIONS, "*"))
        except ClientError as exc:
            return [Check("execution role's access", UNKNOWN,
                          f"iam:SimulatePrincipalPolicy not permitted or failed: {_err(exc)}")]
        denied = _decisions_line(decisions)
        if denied:
            return [Check("execution role's access", FAIL, f"the role may not (simulated): {denied}",
                          f"grant these to {self._role_name()} (AmazonSageMakerFullAccess covers buckets named *sagemaker*)")]
        return [Check("execution role's access", OK, f"reads the data, writes the output, logs and pulls images "
                      f"({len(decisions)} actions simulated)")]

    # --- data -------------------------------------------------------------------------------------
    def channels(self) -> list[Check]:
        if self.emulator:  # whether two channels overlap is the study file's business: checked anyway
            return self._not_here("data channels", "the emulator reads no S3; its catalogs stand for the data") \
                + distinct_channels(dict(sorted(self.inputs.channels.items())))
        s3 = self.clients.other("s3")
        out: list[Check] = []
        items = sorted(self.inputs.channels.items())
        for bucket in sorted({_split_s3(uri)[0] for _, uri in items}):
            out.extend(self._bucket_region(s3, bucket))
        for name, uri in items:
            bucket, key = _split_s3(uri)
            try:
                page = s3.list_objects_v2(Bucket=bucket, Prefix=key, MaxKeys=1)
            except ClientError as exc:
                code = error_code(exc)
                if code == "NoSuchBucket":
                    out.append(Check(f"channel {name}", FAIL, f"{uri}: no such bucket", f"fix [data] {name}"))
                elif _denied(exc):
                    out.append(Check(f"channel {name}", UNKNOWN, f"{uri}: your credentials may not list it "
                                     f"({_err(exc)}); the execution role's access is simulated separately"))
                else:
                    out.append(Check(f"channel {name}", FAIL, f"{uri}: {_err(exc)}", f"fix [data] {name}"))
                continue
            if not page.get("KeyCount") and not page.get("Contents"):
                out.append(Check(f"channel {name}", FAIL, f"{uri} is empty (no object under that prefix)",
                                 f"upload the data there, or fix [data] {name}"))
            else:
                first = (page.get("Contents") or [{}])[0].get("Key", "")
                out.append(Check(f"channel {name}", OK, f"{uri} readable, not empty (e.g. {first})"))
        out.extend(distinct_channels(dict(items)))
        return out

    def _bucket_region(self, s3: Any, bucket: str) -> list[Check]:
        """"Your input bucket must be in the same region as your training job" (AWS, SageMaker API
        Reference, S3DataSource). HeadBucket answers the bucket's region."""
        name = f"bucket {bucket}"
        try:
            where = s3.head_bucket(Bucket=bucket).get("BucketRegion")
        except ClientError as exc:
            if is_not_found(exc):  # S3: 404 / NoSuchBucket / NotFound
                return []  # the channel's own line says the bucket does not exist
            return [Check(name, UNKNOWN, f"its region could not be read ({_err(exc)})")]
        if not where:
            return [Check(name, UNKNOWN, "S3 did not say its region")]
        if where != self.clients.region:
            return [Check(name, FAIL, f"is in {where}; a training job reads its channels from buckets in its own "
                          f"region ({self.clients.region})", f"copy the data to a bucket in {self.clients.region}, "
                          f"or run the study in {where} ([study] region)")]
        return [Check(name, OK, f"in {where}, the study's region")]

    def output(self) -> list[Check]:
        if self.emulator:
            return self._not_here("output prefix", "the emulator writes no S3")
        uri = self.study.output_s3
        bucket, key = _split_s3(uri)
        marker = (key if key.endswith("/") or not key else key + "/") + MARKER_PREFIX + uuid.uuid4().hex[:12]
        s3 = self.clients.other("s3")
        try:
            s3.put_object(Bucket=bucket, Key=marker, Body=b"written by jstui doctor; safe to delete\n")
        except ClientError as exc:
            if _denied(exc):
                return [Check("output prefix", UNKNOWN, f"{uri}: your credentials may not write there ({_err(exc)}); "
                              "the execution role's s3:PutObject is simulated separately")]
            return [Check("output prefix", FAIL, f"{uri}: PutObject failed: {_err(exc)}", "fix [study] output_s3")]
        try:
            s3.delete_object(Bucket=bucket, Key=marker)
        except ClientError as exc:
            return [Check("output prefix", FAIL, f"{uri} writable, but the marker s3://{bucket}/{marker} could not be "
                          f"deleted ({_err(exc)})", f"delete s3://{bucket}/{marker} by hand")]
        return [Check("output prefix", OK, f"{uri} writable (a marker object was written and deleted)")]

    # --- quotas -----------------------------------------------------------------------------------
    def quotas(self) -> list[Check]:
        if self.emulator:
            return self._not_here("quotas", "the emulator has no Service Quotas; its instance limits are its own")
        wanted: list[tuple[str, int, str]] = []  # quota name, planned, what
        for (itype, spot), n in sorted(planned_training_instances(self.study).items()):
            usage = "spot training job" if spot else "training job"
            wanted.append((quota_name(itype, usage), n, "instances at once (max_parallel_tuning_jobs x "
                                                              "max_parallel_jobs x instance_count)"))
        for itype in sorted(set(self.inputs.hosting_instance_types.values())):
            wanted.append((quota_name(itype, "endpoint"), 1, "instance for one deployed candidate"))
        try:
            values = _quota_values(self.clients.other("service-quotas"))
        except ClientError as exc:
            return [Check("quotas", UNKNOWN, f"Service Quotas could not be read: {_err(exc)}")]
        out: list[Check] = []
        for name, need, what in wanted:
            if name not in values:
                out.append(Check(f"quota {name}", UNKNOWN, "no such quota listed for sagemaker in this region"))
                continue
            value, code = values[name]
            shown = f"{value:g}"
            if value >= need:
                out.append(Check(f"quota {name}", OK, f"{shown} ≥ {need} planned {what}"))
            else:
                out.append(Check(f"quota {name}", FAIL, f"{shown} < {need} planned {what}",
                                 f"request an increase of {code or name} in the Service Quotas console "
                                 f"(region {self.clients.region}), or lower the parallelism"))
        return out

    # --- metadata and prices ---------------------------------------------------------------------
    def jumpstart(self) -> list[Check]:
        from jstui.domain.errors import JstuiError, ServiceRefused, ServiceUnreachable

        js = [c for c in self.study.candidates if c.model_id]
        if not js:
            return [Check("JumpStart metadata", NA, "no JumpStart model in the study")]
        out: list[Check] = []
        ok = 0
        for c in js:
            try:
                model = self.inputs.jumpstart_lookup(c)
            except ServiceUnreachable as exc:
                out.append(Check(f"JumpStart {c.name}", UNKNOWN, safe(str(exc))))
                continue
            except ServiceRefused as exc:
                out.append(Check(f"JumpStart {c.name}", FAIL, safe(str(exc)),
                                 f"allow s3:GetObject on the JumpStart bucket jumpstart-cache-prod-{self.clients.region}"))
                continue
            except JstuiError as exc:
                out.append(Check(f"JumpStart {c.name}", FAIL, safe(str(exc)), f"fix model_id/model_version of {c.name}"))
                continue
            if not model.training_image:
                out.append(Check(f"JumpStart {c.name}", FAIL, f"{c.model_id} {model.version}: no training image",
                                 f"choose another model for {c.name}"))
                continue
            ok += 1
        source = "the study's offline snapshot" if self.emulator else "JumpStart's S3 metadata"
        if ok:
            out.insert(0, Check("JumpStart metadata", OK, f"{ok} of {len(js)} models found in {source}"))
        return out

    def prices(self) -> list[Check]:
        table = self.inputs.prices
        out: list[Check] = []
        wanted = [(t, TRAINING) for t in sorted({c.resources.instance_type for c in self.study.candidates})]
        wanted += [(t, HOSTING) for t in sorted(set(self.inputs.hosting_instance_types.values()))]
        for itype, component in wanted:
            usd, source = table.price(itype, self.study.prices, component=component)
            name = f"price {itype} ({component.lower()})"
            if usd is None:
                out.append(Check(name, FAIL, "no price known: the budget guard and spend cannot count it",
                                 f"add \"{itype}\" = USD_PER_HOUR under [prices] in the study, or run "
                                 f"`jstui prices --refresh --region {self.clients.region}`"))
                continue
            priced_region = table.refreshed_region if "Price List" in source else SHIPPED_PRICES_REGION
            if source != "study [prices]" and priced_region != self.clients.region and not self.emulator:
                out.append(Check(name, UNKNOWN, f"${usd:g}/h is {priced_region}'s rate ({source}); "
                                 f"{self.clients.region}'s may differ: `jstui prices --refresh --region {self.clients.region}`"))
                continue
            out.append(Check(name, OK, f"${usd:g}/h ({source})"))
        return out


def _trusts(doc: dict, principal: str) -> bool:
    statements = doc.get("Statement") or []
    if isinstance(statements, dict):
        statements = [statements]
    for st in statements:
        if st.get("Effect") != "Allow":
            continue
        actions = st.get("Action") or []
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a in ("sts:AssumeRole", "sts:*", "*") for a in actions):
            continue
        services = (st.get("Principal") or {}).get("Service") or []
        services = [services] if isinstance(services, str) else services
        if principal in services:
            return True
    return False


def distinct_channels(channels: dict[str, str]) -> list[Check]:
    """Two channels must not read the same objects: SageMaker's S3Prefix takes every key that starts
    with the prefix, so `s3://b/train` also reads `s3://b/train2/...` and `s3://b/train/val/...`."""
    out: list[Check] = []
    items = sorted(channels.items())
    for i, (a, ua) in enumerate(items):
        for b, ub in items[i + 1:]:
            if ua == ub:
                out.append(Check("distinct channels", FAIL, f"{a} and {b} are the same prefix {ua}",
                                 f"give {a} and {b} their own prefixes under [data]"))
            elif ub.startswith(ua) or ua.startswith(ub):
                outer, inner = (a, b) if ub.startswith(ua) else (b, a)
                out.append(Check("distinct channels", FAIL, f"{outer}'s prefix {channels[outer]} also holds {inner}'s "
                                 f"{channels[inner]} (S3Prefix reads every key starting with it)",
                                 f"end {outer}'s prefix with a /" if not channels[inner].startswith(
                                     channels[outer].rstrip("/") + "/") else f"move {inner}'s data out of {channels[outer]}"))
    if not out and len(items) > 1:
        out.append(Check("distinct channels", OK, f"{len(items)} channels, no prefix inside another"))
    return out


def summary(checks: list[Check]) -> str:
    counts = {r: sum(1 for c in checks if c.result == r and not (c.optional and r == FAIL)) for r in GLYPHS}
    optional = sum(1 for c in checks if c.optional and c.result == FAIL)
    parts = [f"{counts[OK]} ✓", f"{counts[FAIL]} ✗", f"{counts[UNKNOWN]} ?"]
    if counts[NA]:
        parts.append(f"{counts[NA]} – not applicable")
    if optional:
        parts.append(f"{optional} optional ✗")
    return ", ".join(parts)
