"""The shipped sample studies (a package so that a non-editable install carries them)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parent
DEFAULT_STUDY = ROOT / "caltech256.toml"
CATALOGS = ROOT / "catalogs"
