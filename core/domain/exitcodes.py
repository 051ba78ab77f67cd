"""Exit codes: an API for scripts (the table: docs/cli.md)."""

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1  # a bug: one line and the path of the debug log
    USAGE = 2  # usage error or invalid study file
    UNREACHABLE = 3  # service unreachable or no credentials
    REFUSED = 4  # the service refused: access denied, an instance quota, validation
    FAILED = 5  # a tuning job or endpoint ended Failed
    BUDGET = 6  # budget exceeded, stopped by the guard, or ended at its budget-derived runtime cap (wins over FAILED)
    JOURNAL = 7  # journal unreadable: corrupt, or written by a newer jstui
    ENVIRONMENT = 8  # the local environment: journal busy (another jstui holds it), home not writable or not traversable, disk full
    PREFLIGHT = 9  # `jstui doctor`: at least one check failed (✗) (docs/doctor.md)
    INTERRUPTED = 130  # Ctrl-C: jobs on the service keep running
