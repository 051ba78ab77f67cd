"""The preflight against a real-SageMaker study, with no network: botocore's Stubber answers STS,
S3, Service Quotas, SageMaker and CloudWatch Logs as the services' models say (Stubber validates
every request and response against botocore's shapes). IAM's SimulatePrincipalPolicy is answered by
`FakeIam`, a small evaluator of a test policy hooked on botocore's `before-call` event (after
botocore validated the request): the number and order of simulations are the preflight's business,
what each answers is the test's policy. A plain Stubber drives IAM where the sequence is short."""

from __future__ import annotations

import fnmatch
import json
from types import SimpleNamespace

import boto3
from botocore.awsrequest import AWSResponse
from botocore.stub import ANY, Stubber

from jstui.aws.clients import Clients
from jstui.aws.preflight import API_CALLS, FAIL, OK, UNKNOWN, Inputs, Preflight, format_check, iam_actions
from jstui.cli.doctor import exit_code
from jstui.domain.errors import UsageError
from jstui.domain.exitcodes import ExitCode
from jstui.domain.prices import PriceTable
from jstui.engine.session import load
from tests.engine.conftest import write_study

ACCOUNT = "111122223333"
CALLER = f"arn:aws:iam::{ACCOUNT}:user/alice"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecution"
TRUST = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}]}


# One session: its loader caches the service models (SageMaker's is large), so each test's fresh
# clients are cheap.
_SESSION = boto3.Session(aws_access_key_id="x", aws_secret_access_key="x", region_name="us-east-1")


def _client(service: str):
    return _SESSION.client(service)


_HTTP_OK = AWSResponse(None, 200, {}, None)  # what a before-call handler returns beside the parsed body


class FakeIam:
    """Answers SimulatePrincipalPolicy from `denied`: {principal: {action pattern, ...}} (everything else
    allowed), and records what was asked; GetRole from `role` (a Role structure)."""

    def __init__(self, client, denied: dict[str, set[str]] | None = None):
        self.denied = denied or {}
        self.role: dict | None = None
        self.others: dict[str, dict] = {}  # other roles GetRole knows (the caller's own)
        self.asked: list[tuple[str, str, str]] = []  # (principal, action, resource)
        client.meta.events.register("before-parameter-build.iam.*", self._keep_params)
        client.meta.events.register("before-call.iam.SimulatePrincipalPolicy", self._answer)
        client.meta.events.register("before-call.iam.GetRole", self._get_role)

    @staticmethod
    def _keep_params(params, context, **_):
        context["api_params"] = dict(params)  # before-call sees the serialized request; keep the API's

    def _get_role(self, context, **_):
        name = context["api_params"]["RoleName"]
        role = self.role if self.role is not None and name == self.role["RoleName"] else self.others.get(name)
        assert role is not None, name
        return _HTTP_OK, {"Role": role}

    def _answer(self, context, **_):
        params = context["api_params"]
        principal, resources = params["PolicySourceArn"], params.get("ResourceArns") or ["*"]
        results = []
        for action in params["ActionNames"]:
            for resource in resources:
                self.asked.append((principal, action, resource))
            deny = any(fnmatch.fnmatch(action, p) for p in self.denied.get(principal, ()))
            results.append({"EvalActionName": action, "EvalResourceName": resources[0],
                            "EvalDecision": "implicitDeny" if deny else "allowed"})
        return _HTTP_OK, {"EvaluationResults": results, "IsTruncated": False}


def _study(tmp_path, *, data: dict[str, str] | None = None, models: int = 2, instance_type: str | None = None):
    path = write_study(tmp_path, name="real1", models=models)
    text = path.read_text(encoding="utf-8").replace('backend = "emulator"', 'backend = "sagemaker"', 1)
    data = data or {"training": "s3://example-bucket/caltech256/train/",
                    "validation": "s3://example-bucket/caltech256/validation/"}
    head, rest = text.split("[data]", 1)
    rest = rest[rest.index("\n[resources]"):]  # drop the shipped channels (and their comments)
    text = head + "[data]\n" + "".join(f'{k} = "{v}"\n' for k, v in data.items()) + rest
    if instance_type:
        text = text.replace('instance_type = "ml.p3.2xlarge"', f'instance_type = "{instance_type}"', 1)
    path.write_text(text, encoding="utf-8")
    return load(path)


class Rig:
    """Clients of a SageMaker-backend study, every service stubbed."""

    def __init__(self, study, *, denied=None, jumpstart_missing: set[str] = frozenset(), prices: PriceTable | None = None):
        self.study = study
        self.sm, self.logs, self.sts, self.iam, self.s3, self.sq = (
            _client(s) for s in ("sagemaker", "logs", "sts", "iam", "s3", "service-quotas"))
        self.stubs = {name: Stubber(getattr(self, name)) for name in ("sm", "logs", "sts", "s3", "sq")}
        self.fake_iam = FakeIam(self.iam, denied)
        self.iam_stub: Stubber | None = None
        self.clients = Clients(
            backend="sagemaker", region="us-east-1", endpoint_url=None,
            session=_SESSION,
            sagemaker=self.sm, logs=self.logs, runtime=None, sagemaker_poll=self.sm, profile="ml",
            _others={"sts": self.sts, "iam": self.iam, "s3": self.s3, "service-quotas": self.sq},
        )

        def lookup(c):
            if c.model_id in jumpstart_missing:
                raise UsageError(f"unknown JumpStart model {c.model_id!r}")
            return SimpleNamespace(training_image="763104351884.dkr.ecr.us-east-1.amazonaws.com/tf:2", version="1.0.0",
                                   default_inference_instance_type="ml.m5.xlarge")

        self.inputs = Inputs(study=study, channels=dict(study.data), prices=prices or PriceTable(),
                             hosting_instance_types={c.name: "ml.m5.xlarge" for c in study.candidates},
                             jumpstart_lookup=lookup, log_group="/aws/sagemaker/TrainingJobs")

    def happy_service_answers(self, *, trust=TRUST, quotas=None, empty: set[str] = frozenset(), bucket_region="us-east-1"):
        self.stubs["sts"].add_response("get_caller_identity", {"UserId": "AIDA", "Account": ACCOUNT, "Arn": CALLER})
        self.stubs["sm"].add_response("list_hyper_parameter_tuning_jobs", {"HyperParameterTuningJobSummaries": []},
                                      {"MaxResults": 1})
        self.stubs["logs"].add_client_error("describe_log_streams", "ResourceNotFoundException",
                                            "The specified log group does not exist.")
        self.fake_iam.role = {"Path": "/", "RoleName": "SageMakerExecution", "RoleId": "AROAEXAMPLEEXAMPLE1",
                              "Arn": ROLE, "AssumeRolePolicyDocument": json.dumps(trust)}
        for bucket in sorted({uri[5:].partition("/")[0] for uri in self.study.data.values()}):
            self.stubs["s3"].add_response("head_bucket", {"BucketRegion": bucket_region}, {"Bucket": bucket})
        for name, uri in sorted(self.study.data.items()):
            bucket, _, prefix = uri[5:].partition("/")
            contents = [] if name in empty else [{"Key": prefix + "part-0000.rec", "Size": 10}]
            self.stubs["s3"].add_response("list_objects_v2", {"KeyCount": len(contents), "Contents": contents},
                                          {"Bucket": bucket, "Prefix": prefix, "MaxKeys": 1})
        self.stubs["s3"].add_response("put_object", {}, {"Bucket": "example-bucket", "Key": ANY, "Body": ANY})
        self.stubs["s3"].add_response("delete_object", {}, {"Bucket": "example-bucket", "Key": ANY})
        quotas = quotas if quotas is not None else {"ml.p3.2xlarge for training job usage": 8.0,
                                                    "ml.m5.xlarge for endpoint usage": 2.0}
        self.stubs["sq"].add_response("list_service_quotas", {"Quotas": [
            {"QuotaName": n, "QuotaCode": f"L-{i:08X}", "Value": v, "ServiceCode": "sagemaker"}
            for i, (n, v) in enumerate(quotas.items())]}, {"ServiceCode": "sagemaker", "MaxResults": 100})
        self.stubs["sq"].add_response("list_aws_default_service_quotas", {"Quotas": []},
                                      {"ServiceCode": "sagemaker", "MaxResults": 100})

    def run(self):
        stubs = [*self.stubs.values(), *([self.iam_stub] if self.iam_stub else [])]
        for s in stubs:
            s.activate()
        checks = Preflight(self.clients, self.inputs).run()
        for s in stubs:
            s.assert_no_pending_responses()
        return checks


def by_name(checks):
    return {c.name: c for c in checks}


def test_a_ready_account_passes_every_check(tmp_path):
    study = _study(tmp_path)
    rig = Rig(study)
    rig.happy_service_answers()
    checks = rig.run()
    lines = [format_check(c) for c in checks]
    assert all(c.result == OK for c in checks), "\n".join(lines)
    names = by_name(checks)
    assert names["identity"].detail == f"account {ACCOUNT} as {CALLER} (profile ml)"
    assert "SageMakerExecution exists and trusts sagemaker.amazonaws.com" in names["execution role"].detail
    assert {"bucket example-bucket", "channel training", "channel validation", "distinct channels", "output prefix"} <= set(names)
    # max_parallel_tuning_jobs (8) x max_parallel_jobs (2), but only 2 candidates: 4 instances at once.
    assert names["quota ml.p3.2xlarge for training job usage"].detail.startswith("8 ≥ 4 planned")
    assert exit_code(checks, strict=True) == ExitCode.OK
    # Every action of the list was simulated for the caller; PassRole on the role, with its service.
    caller_actions = {a for p, a, _ in rig.fake_iam.asked if p == CALLER}
    assert caller_actions == set(iam_actions()) | {"iam:PassRole"}
    assert (CALLER, "iam:PassRole", ROLE) in rig.fake_iam.asked
    # Resource-level: the tuning-job actions on a name jstui would give, List* on "*".
    tuning = [r for p, a, r in rig.fake_iam.asked if a == "sagemaker:CreateHyperParameterTuningJob"]
    assert tuning and tuning[0].startswith(f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:hyper-parameter-tuning-job/real1-")
    assert [r for p, a, r in rig.fake_iam.asked if a == "sagemaker:ListHyperParameterTuningJobs"] == ["*"]
    # The role may read each channel and write the output.
    role_asked = {(a, r) for p, a, r in rig.fake_iam.asked if p == ROLE}
    assert ("s3:GetObject", "arn:aws:s3:::example-bucket/caltech256/validation/*") in role_asked
    assert ("s3:PutObject", "arn:aws:s3:::example-bucket/jstui/real1/*") in role_asked or any(
        a == "s3:PutObject" and r.startswith("arn:aws:s3:::example-bucket/") for a, r in role_asked)


def test_problems_fail_with_their_fix_and_exit_8(tmp_path):
    study = _study(tmp_path, data={"training": "s3://example-bucket/neu/train", "validation": "s3://example-bucket/neu/train-val/"},
                   instance_type="ml.x9.unpriced")
    denied = {CALLER: {"iam:PassRole", "sagemaker:CreateHyperParameterTuningJob", "pricing:*"},
              ROLE: {"s3:PutObject"}}
    rig = Rig(study, denied=denied, jumpstart_missing={study.candidates[1].model_id})
    untrusting = {"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    rig.happy_service_answers(trust=untrusting, quotas={"ml.p3.2xlarge for training job usage": 0.0}, empty={"validation"})
    checks = rig.run()
    names = by_name(checks)
    failed = {c.name for c in checks if c.result == FAIL}
    assert {"execution role", "pass role", "permissions to run the study", "execution role's access",
            "channel validation", "distinct channels", f"JumpStart {study.candidates[1].name}",
            "price ml.x9.unpriced (training)"} <= failed
    assert all(c.fix for c in checks if c.result == FAIL)
    assert "sagemaker.amazonaws.com" in names["execution role"].fix
    assert "sagemaker:CreateHyperParameterTuningJob (implicitDeny)" in names["permissions to run the study"].detail
    assert "s3:PutObject" in names["execution role's access"].detail
    # S3Prefix semantics: "train" also reads "train-val/..."; the fix is the trailing slash.
    assert "end training's prefix with a /" in names["distinct channels"].fix
    # Prices: only `jstui prices --refresh` needs pricing:GetProducts, so its failure is optional.
    assert names["permissions to jstui prices --refresh"].result == FAIL and names["permissions to jstui prices --refresh"].optional
    assert "(optional)" in format_check(names["permissions to jstui prices --refresh"])
    # The unpriced instance type has no quota listed: not verifiable, said so.
    assert names["quota ml.x9.unpriced for training job usage"].result == UNKNOWN
    assert exit_code(checks, strict=False) == ExitCode.PREFLIGHT


def test_a_quota_below_the_planned_parallelism_fails(tmp_path):
    study = _study(tmp_path, models=3)
    rig = Rig(study)
    rig.happy_service_answers(quotas={"ml.p3.2xlarge for training job usage": 2.0, "ml.m5.xlarge for endpoint usage": 1.0})
    names = by_name(rig.run())
    q = names["quota ml.p3.2xlarge for training job usage"]
    assert q.result == FAIL and q.detail.startswith("2 < 6 planned") and "L-00000000" in q.fix
    assert names["quota ml.m5.xlarge for endpoint usage"].result == OK


def test_without_iam_read_access_the_checks_say_they_could_not_verify(tmp_path):
    """A plain Stubber for IAM: GetRole denied, every simulation denied: ? lines, never ✓ or ✗."""
    study = _study(tmp_path)
    rig = Rig(study)
    rig.iam.meta.events.unregister("before-call.iam.SimulatePrincipalPolicy", rig.fake_iam._answer)
    rig.iam.meta.events.unregister("before-call.iam.GetRole", rig.fake_iam._get_role)
    rig.iam.meta.events.unregister("before-parameter-build.iam.*", rig.fake_iam._keep_params)
    rig.happy_service_answers()
    rig.iam_stub = Stubber(rig.iam)
    rig.iam_stub.add_client_error("get_role", "AccessDenied", "User: alice is not authorized to perform: iam:GetRole",
                                  http_status_code=403)
    for _ in range(5):  # PassRole, then the first simulation of each of the four groups
        rig.iam_stub.add_client_error("simulate_principal_policy", "AccessDenied", "not authorized", http_status_code=403)
    checks = rig.run()
    names = by_name(checks)
    for name in ("execution role", "pass role", "permissions to run the study", "execution role's access"):
        assert names[name].result == UNKNOWN, format_check(names[name])
    assert exit_code(checks, strict=False) == ExitCode.OK
    assert exit_code(checks, strict=True) == ExitCode.PREFLIGHT


def test_expired_credentials_fail_identity_with_the_renewal_line(tmp_path):
    study = _study(tmp_path)
    rig = Rig(study)
    rig.clients.credential_method = "sso"
    rig.stubs["sts"].add_client_error("get_caller_identity", "ExpiredToken", "The security token included in the request is expired")
    rig.stubs["sts"].activate()
    ident = Preflight(rig.clients, rig.inputs).identity()[0]
    assert ident.result == FAIL and ident.fix == "run `aws sso login --profile ml`"


def test_a_bucket_in_another_region_fails(tmp_path):
    study = _study(tmp_path)
    rig = Rig(study)
    rig.happy_service_answers(bucket_region="eu-west-1")
    check = by_name(rig.run())["bucket example-bucket"]
    assert check.result == FAIL and "is in eu-west-1" in check.detail and "us-east-1" in check.fix


def test_service_text_is_escaped_in_the_human_lines(tmp_path):
    study = _study(tmp_path, data={"training": "s3://example-bucket/t/"})
    rig = Rig(study)
    rig.stubs["s3"].add_response("head_bucket", {"BucketRegion": "us-east-1"}, {"Bucket": "example-bucket"})
    rig.stubs["s3"].add_client_error("list_objects_v2", "InvalidBucketState", "bad\x1b[2J\x1b]0;pwned\x07\nnext line")
    rig.stubs["s3"].activate()
    _, check = Preflight(rig.clients, rig.inputs).channels()
    line = format_check(check)
    assert check.result == FAIL and "\x1b" not in line and "\x07" not in line and "\n" not in line
    # The one escaper's spelling (jstui.domain.textfmt.printable): every control character as \xNN.
    assert "\\x1b[2J" in line and "\\x0anext line" in line


def test_the_api_list_names_only_real_operations():
    models = {svc: _client(svc).meta.service_model for svc in {svc for svc, _, _, _ in API_CALLS}}
    for svc, op, _, _ in API_CALLS:
        assert op in models[svc].operation_names, (svc, op)


def test_an_sso_caller_is_simulated_as_its_role_with_its_path(tmp_path):
    study = _study(tmp_path, data={"training": "s3://example-bucket/t/"})
    sso_role = f"arn:aws:iam::{ACCOUNT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_ML_0123456789abcdef"
    rig = Rig(study, denied={sso_role: {"sagemaker:DeleteEndpoint"}})
    rig.fake_iam.others["AWSReservedSSO_ML_0123456789abcdef"] = {
        "Path": "/aws-reserved/sso.amazonaws.com/", "RoleName": "AWSReservedSSO_ML_0123456789abcdef",
        "RoleId": "AROAEXAMPLEEXAMPLE2", "Arn": sso_role}
    rig.happy_service_answers()
    rig.stubs["sts"] = Stubber(rig.sts)  # the caller is an SSO session, not alice
    rig.stubs["sts"].add_response("get_caller_identity", {
        "UserId": "AROAEXAMPLEEXAMPLE2:alice", "Account": ACCOUNT,
        "Arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/AWSReservedSSO_ML_0123456789abcdef/alice"})
    names = by_name(rig.run())
    assert {p for p, _, _ in rig.fake_iam.asked} == {sso_role, ROLE}
    assert names["permissions to run the study"].result == OK
    deploy = names["permissions to deploy (d / jstui deploy)"]
    assert deploy.result == FAIL and "sagemaker:DeleteEndpoint (implicitDeny)" in deploy.detail and sso_role in deploy.fix


def test_unreachable_jumpstart_metadata_is_unverified_not_failed(tmp_path):
    from jstui.domain.errors import ServiceUnreachable

    study = _study(tmp_path, data={"training": "s3://example-bucket/t/"})
    rig = Rig(study)

    def offline(c):
        raise ServiceUnreachable(f"JumpStart metadata for {c.model_id!r} unreachable: no network")

    rig.inputs.jumpstart_lookup = offline
    checks = Preflight(rig.clients, rig.inputs).jumpstart()
    assert [c.result for c in checks] == [UNKNOWN] * len(study.candidates)
