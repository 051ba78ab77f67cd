"""What a user copies or opens for a job or an endpoint: its name, ARN, S3 output and the SageMaker
console's page for it (issue 19 item 6). Pure: built from the names, the region and the account.

- ARNs: `arn:aws:sagemaker:<region>:<account>:<kind>/<name>`, the name lower-cased as SageMaker
  returns it (DescribeTrainingJob's TrainingJobArn; "Amazon Resource Names",
  https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsagemaker.html).
- S3 output: a tuning job's training job writes `<S3OutputPath>/<training job>/output/model.tar.gz`
  ("How Amazon SageMaker AI Processes Training Output",
  https://docs.aws.amazon.com/sagemaker/latest/dg/your-algorithms-training-algo-output.html).
- Console pages: the SageMaker console's routes for tuning jobs, training jobs and endpoints."""

from __future__ import annotations

import re

KINDS = {"tuning": "hyper-parameter-tuning-job", "training": "training-job", "endpoint": "endpoint"}
_CONSOLE_ROUTES = {"tuning": "hyper-tuning-jobs", "training": "jobs", "endpoint": "endpoints"}


def account_of(role_arn: str | None) -> str | None:
    """The account id in an IAM role ARN (`arn:aws:iam::111122223333:role/x`), or None."""
    m = re.match(r"^arn:aws[\w-]*:iam::(\d{12}):", role_arn or "")
    return m.group(1) if m else None


def arn(region: str, account: str | None, kind: str, name: str) -> str | None:
    if account is None:
        return None
    return f"arn:aws:sagemaker:{region}:{account}:{KINDS[kind]}/{name.lower()}"


def model_artifact(output_s3: str, training_job_name: str) -> str:
    return f"{output_s3.rstrip('/')}/{training_job_name}/output/model.tar.gz"


def console_url(region: str, kind: str, name: str) -> str:
    return f"https://{region}.console.aws.amazon.com/sagemaker/home?region={region}#/{_CONSOLE_ROUTES[kind]}/{name}"
