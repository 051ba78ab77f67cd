"""Study files: the schema, loading and validation (`load_study`), metric presets, built-in
algorithms. See docs/study-file.md for the reference."""

from jstui.study.loader import load_study
from jstui.domain.model import Candidate, Study

__all__ = ["load_study", "Study", "Candidate"]
