"""Checks of single values: TOML types, and the formats AWS accepts (S3 URIs, role ARNs, regions,
instance types). Each returns why a value is wrong, or None; the message teaches the fix."""

from __future__ import annotations

import datetime as _dt
import math
import re

from jstui.study import schema as S
from jstui.study.problems import suggest

_S3 = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/.*)?$")
_ROLE_ARN = re.compile(r"^arn:aws(-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
_INSTANCE = re.compile(r"^ml\.[a-z][a-z0-9-]*\.[a-z0-9]+$")
STUDY_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,19}$")
CANDIDATE_NAME = re.compile(r"^[A-Za-z0-9._-]+$")
CHANNEL_NAME = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
KNOWN_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "eu-west-1", "eu-west-2", "eu-west-3",
    "eu-central-1", "eu-north-1", "eu-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
    "ap-southeast-1", "ap-southeast-2", "ap-south-1", "sa-east-1", "me-south-1", "af-south-1",
    "us-gov-west-1", "cn-north-1", "cn-northwest-1",
)


def toml_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, (_dt.date, _dt.time)):
        return "date/time"
    return type(value).__name__


def _show(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"' if len(value) <= 40 else f'"{value[:37]}..."'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return "an " + toml_type(value) if toml_type(value)[0] in "a" else "a " + toml_type(value)
    return str(value)


def _numeric_string(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        float(value)
        return True
    except ValueError:
        return False


def is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def type_problem(value: object, expected: str) -> str | None:
    """Why `value` (as tomllib parsed it) is not of the schema type `expected`, or None."""
    got = toml_type(value)
    if expected == S.STRING:
        if isinstance(value, str):
            return None
        return f"expected a string, got {_show(value)} (put it in quotes)" if is_scalar(value) else \
            f"expected a string, got {_show(value)}"
    if expected == S.INTEGER:
        if got == "integer":
            return None
        if isinstance(value, float) and value.is_integer():  # got == "float"
            return f"expected an integer, got {value} (write {int(value)})"
        if _numeric_string(value):
            return f"expected an integer, got the string {_show(value)} (remove the quotes)"
        return f"expected an integer, got {_show(value)}"
    if expected == S.NUMBER:
        if isinstance(value, float) and not math.isfinite(value):  # got == "float"
            return f"expected a finite number, got {value}"
        if got in ("integer", "float"):
            return None
        if _numeric_string(value):
            return f"expected a number, got the string {_show(value)} (remove the quotes)"
        return f"expected a number, got {_show(value)}"
    if expected == S.BOOLEAN:
        if got == "boolean":
            return None
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return f"expected a boolean, got the string {_show(value)} (write {value.lower()} without quotes)"
        return f"expected true or false, got {_show(value)}"
    if expected == S.STRINGS:
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value)):
            return None
        return f"expected a string or an array of strings, got {_show(value)}"
    if expected == S.ARRAY:
        if isinstance(value, list) and all(is_scalar(v) for v in value):
            return None
        if is_scalar(value):
            return f"expected an array, got {_show(value)} (write [{_show(value)}])"
        return f"expected an array of strings or numbers, got {_show(value)}"
    if expected == S.NUMBERS:
        if isinstance(value, list) and all(toml_type(v) in ("integer", "float") for v in value):
            if not all(math.isfinite(v) for v in value):
                return "expected finite numbers, got nan or inf"
            return None
        if toml_type(value) in ("integer", "float"):
            return f"expected an array of numbers, got {value} (write [{value}])"
        return f"expected an array of numbers, got {_show(value)}"
    if expected in (S.TABLE, S.SCALARS):
        return None if isinstance(value, dict) else f"expected a table, got {_show(value)}"
    if expected == S.TABLES:
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            return None
        return f"expected an array of tables ([[...]]), got {_show(value)}"
    return None


def hyperparameter_string(value: object) -> str:
    """SageMaker passes hyperparameters as strings; TOML booleans become Python-style True/False,
    which is what JumpStart scripts and the built-in algorithms parse."""
    if isinstance(value, bool):
        return "True" if value else "False"
    return str(value)


def s3_uri_problem(value: str) -> str | None:
    if _S3.match(value):
        return None
    if value.lower().startswith("s3://") and _S3.match("s3://" + value[5:].lower()):
        return f"{_show(value)}: S3 bucket names are lowercase (and the scheme is s3://)"
    if value.startswith(("https://", "http://")) and ".s3" in value:
        return f"{_show(value)} is an HTTPS URL; write the S3 URI: s3://bucket/prefix/"
    if value.startswith("s3:/") or value.startswith("s3:"):
        return f"{_show(value)} is not an S3 URI (write s3://bucket/prefix/)"
    return f"{_show(value)} is not an S3 URI (s3://bucket/prefix/)"


def role_arn_problem(value: str) -> str | None:
    if _ROLE_ARN.match(value):
        return None
    if ":user/" in value or ":policy/" in value:
        return f"{_show(value)} is not a role ARN (training jobs need an IAM role: arn:aws:iam::<account>:role/<name>)"
    if value.startswith("arn:") and ":role/" in value:
        return f"{_show(value)}: the account id must be 12 digits (arn:aws:iam::123456789012:role/<name>)"
    return f"{_show(value)} is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)"


def region_problem(value: str) -> str | None:
    if _REGION.match(value):
        return None
    return f"{_show(value)} is not an AWS region{suggest(value, KNOWN_REGIONS) or ' (e.g. us-east-1)'}"


def instance_type_problem(value: str) -> str | None:
    if _INSTANCE.match(value):
        return None
    if _INSTANCE.match("ml." + value):
        return f"{_show(value)} is an EC2 name; SageMaker instance types start with ml. (did you mean 'ml.{value}'?)"
    if _INSTANCE.match(value.lower()):
        return f"{_show(value)}: instance types are lowercase (did you mean '{value.lower()}'?)"
    return f"{_show(value)} is not a SageMaker instance type (ml.<family>.<size>, e.g. ml.p3.2xlarge)"
