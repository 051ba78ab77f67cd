"""Optimization history (Optuna's "best value so far"): a study's and each candidate's best objective
against the training jobs completed, in the order they ended. Pure."""

from __future__ import annotations

from jstui.domain.snapshot import StudySnapshot, TrainingJobRow


def _ended(jobs: list[TrainingJobRow]) -> list[float]:
    """The completed jobs' objectives, in the order the jobs ended."""
    done = sorted((t for t in jobs if t.status == "Completed"),
                  key=lambda t: (t.ended_at is None, t.ended_at, t.training_job_name))
    return [float(t.objective) for t in done if t.objective is not None]


def best_so_far(jobs: list[TrainingJobRow], direction: str) -> list[tuple[int, float]]:
    """(n-th completed job, best objective of the first n), for jobs with an objective."""
    out: list[tuple[int, float]] = []
    best: float | None = None
    better = (lambda a, b: a < b) if direction.lower().startswith("min") else (lambda a, b: a > b)
    for n, value in enumerate(_ended(jobs), 1):
        if best is None or better(value, best):
            best = value
        out.append((n, best))
    return out


def histories(snapshot: StudySnapshot) -> tuple[dict[str, list[tuple[int, float]]], list[tuple[int, float]] | None]:
    """Per candidate, and for the study when all candidates share one objective and direction (else
    None: a best over different metrics means nothing)."""
    by_tuning: dict[str, list[TrainingJobRow]] = {}
    for t in snapshot.training_jobs:
        by_tuning.setdefault(t.tuning_job_name, []).append(t)
    per: dict[str, list[tuple[int, float]]] = {}
    objectives = set()
    for row in snapshot.tuning_jobs:
        if not row.tuning_job_name:
            continue
        objectives.add((row.objective_name, row.direction))
        points = best_so_far(by_tuning.get(row.tuning_job_name, []), row.direction)
        if points:
            per[row.candidate] = points
    if len(objectives) != 1:
        return per, None
    direction = next(iter(objectives))[1]
    jobs = [t for row in snapshot.tuning_jobs if row.tuning_job_name for t in by_tuning.get(row.tuning_job_name, [])]
    return per, best_so_far(jobs, direction)
