"""Built-in algorithm images: the ECR registries SageMaker publishes them from (SageMaker Python SDK,
`image_uri_config/image-classification.json` and `object-detection.json`, version "1"; both algorithms
share these accounts). The emulator recognises an image by its repository name, whatever the account."""

from __future__ import annotations

# algorithm (repository name) -> emulator family
BUILTIN_FAMILIES = {
    "image-classification": "builtin-image-classification",
    "object-detection": "builtin-object-detection",
}

# The hyperparameter values that select the network when a job leaves them out (seed 003 for
# image-classification's num_layers; the object-detection docs for base_network).
SELECTING_DEFAULTS = {
    "image-classification": {"num_layers": "152"},
    "object-detection": {"base_network": "vgg-16"},
}

REGISTRIES = {
    "us-east-1": "811284229777",
    "us-east-2": "825641698319",
    "us-west-1": "632365934929",
    "us-west-2": "433757028032",
    "ca-central-1": "469771592824",
    "eu-central-1": "813361260812",
    "eu-north-1": "669576153137",
    "eu-west-1": "685385470294",
    "eu-west-2": "644912444149",
    "eu-west-3": "749696950732",
    "ap-northeast-1": "501404015308",
    "ap-northeast-2": "306986355934",
    "ap-south-1": "991648021394",
    "ap-southeast-1": "475088953585",
    "ap-southeast-2": "544295431143",
    "sa-east-1": "855470959533",
}


def builtin_image_uri(algorithm: str, region: str = "us-east-1") -> str:
    """e.g. 811284229777.dkr.ecr.us-east-1.amazonaws.com/image-classification:1"""
    account = REGISTRIES.get(region, REGISTRIES["us-east-1"])
    return f"{account}.dkr.ecr.{region}.amazonaws.com/{algorithm}:1"


def repository_of(image: str) -> str:
    """The repository name of an image URI: `<acct>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` -> repo."""
    path = image.split("/", 1)[1] if "/" in image else image
    path = path.split("@", 1)[0]
    return path.rsplit(":", 1)[0] if ":" in path.rsplit("/", 1)[-1] else path


def builtin_algorithm_of(image: str | None) -> str | None:
    if not image:
        return None
    repo = repository_of(image).rsplit("/", 1)[-1]
    return repo if repo in BUILTIN_FAMILIES else None
