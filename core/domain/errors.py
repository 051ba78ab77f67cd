"""User-facing errors. Each carries the exit code it means and a one-line message.

Anything else that escapes to the command line is a bug (exit 1)."""

from __future__ import annotations

from jstui.domain.exitcodes import ExitCode


class JstuiError(Exception):
    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, exit_code: ExitCode | None = None):
        super().__init__(message)
        self.message = message
        if exit_code is not None:
            self.exit_code = exit_code

    def __str__(self) -> str:  # one line, always
        return " ".join(self.message.split("\n")) if "\n" in self.message else self.message


class UsageError(JstuiError):
    exit_code = ExitCode.USAGE


class StudyFileError(JstuiError):
    """One or more problems in a study file; `problems` holds one line each."""

    exit_code = ExitCode.USAGE

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))

    def __str__(self) -> str:
        return "\n".join(self.problems)


class ServiceUnreachable(JstuiError):
    exit_code = ExitCode.UNREACHABLE


class ServiceRefused(JstuiError):
    exit_code = ExitCode.REFUSED


class JobFailed(JstuiError):
    exit_code = ExitCode.FAILED


class BudgetExceeded(JstuiError):
    exit_code = ExitCode.BUDGET


class JournalError(JstuiError):
    exit_code = ExitCode.JOURNAL


class EnvironmentProblem(JstuiError):
    """The local machine stops jstui, not the study nor the service: the journal is busy (another jstui
    holds it past the deadline), the home folder is not writable or not traversable, the disk is full."""

    exit_code = ExitCode.ENVIRONMENT


class JournalBusy(EnvironmentProblem):
    """Another process held the journal's write lock longer than the busy deadline."""
