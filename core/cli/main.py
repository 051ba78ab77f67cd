"""The command line (the contract: docs/cli.md).

    jstui [GLOBAL] [STUDY]                 the TUI
    jstui [GLOBAL] --export csv|json ...   headless export
    jstui [GLOBAL] SUBCOMMAND ...          launch, status, stop, deploy, endpoints, studies, prices, emulator, doctor

Each subcommand lives in `core/commands/<name>.py` as `add_arguments(parser)` and `run(args) -> int`.
Errors: a `JstuiError` prints its one line and exits with its code; anything else is a bug: one line
naming the debug log (a traceback only with --debug)."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from jstui import __version__
from jstui.domain.commands import PROG, SUBCOMMANDS
from jstui.domain.errors import JstuiError, StudyFileError
from jstui.domain.exitcodes import ExitCode
from jstui.domain.textfmt import printable

log = logging.getLogger("jstui")


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of exiting, so usage errors are one line and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise _UsageExit(f"{self.prog}: {message} (see `{PROG} --help`)")


class _UsageExit(Exception):
    pass


def _add_global(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("global options")
    g.add_argument("--home", metavar="DIR", help="where jstui keeps its journal (env JSTUI_HOME)")
    g.add_argument("--endpoint-url", metavar="URL", help="talk to this SageMaker-compatible endpoint")
    g.add_argument("--region", metavar="R", help="AWS region (overrides the study's)")
    g.add_argument("--profile", metavar="P", help="AWS profile from your shared config")
    g.add_argument("--readonly", action="store_true", help="never launch, stop, retry, deploy or delete")
    g.add_argument("--debug", action="store_true", help="write a debug log and show tracebacks")
    g.add_argument("--version", action="version", version=f"{PROG} {__version__}")


def _main_parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Model-selection studies on Amazon SageMaker from a terminal.",
        epilog="subcommands: " + ", ".join(SUBCOMMANDS) + f" (`{PROG} SUBCOMMAND --help`)",
    )
    _add_global(p)
    p.add_argument("study", nargs="?", metavar="STUDY", help="study file or journal name")
    e = p.add_argument_group("headless export")
    e.add_argument("--export", choices=("csv", "json"), help="write a table instead of opening the TUI")
    e.add_argument(
        "--what",
        choices=("tuning-jobs", "training-jobs", "frontier", "picked"),
        default="tuning-jobs",
        help="which table to export (default: tuning-jobs)",
    )
    e.add_argument("--model", metavar="CAND", help="candidate for --what picked")
    e.add_argument("--base", metavar="CAND", help="base candidate: relative_* frontier columns")
    e.add_argument("--offline", action="store_true", help="export the journal's last snapshot, no service call")
    e.add_argument("--plausibility", action="store_true",
                   help="add an `implausible` column: metrics outside their plausible range (docs/exports-plausibility.md)")
    e.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of stdout")
    return p


def _command(name: str) -> ModuleType:
    """The module of one command, imported only when it runs (the TUI's import is heavy). Spelled out,
    not built from a string, so the layer contract (docs/architecture.md) sees every edge."""
    if name == "launch":
        from jstui.cli import launch

        return launch
    elif name == "status":
        from jstui.cli import status

        return status
    elif name == "stop":
        from jstui.cli import stop

        return stop
    elif name == "deploy":
        from jstui.cli import deploy

        return deploy
    elif name == "endpoints":
        from jstui.cli import endpoints

        return endpoints
    elif name == "studies":
        from jstui.cli import studies

        return studies
    elif name == "prices":
        from jstui.cli import prices

        return prices
    elif name == "emulator":
        from jstui.cli import emulator

        return emulator
    elif name == "doctor":
        from jstui.cli import doctor

        return doctor
    elif name == "export":
        from jstui.cli import export

        return export
    elif name == "tui":
        from jstui.cli import tui

        return tui
    else:  # pragma: no cover - SUBCOMMANDS and this list are kept together
        raise KeyError(name)


def _sub_parser(name: str) -> tuple[argparse.ArgumentParser, ModuleType]:
    mod = _command(name)
    p = _Parser(prog=f"{PROG} {name}", description=(mod.__doc__ or "").strip().splitlines()[0])
    _add_global(p)
    mod.add_arguments(p)
    return p, mod


def _first_positional(argv: list[str]) -> str | None:
    takes_value = {"--home", "--endpoint-url", "--region", "--profile"}
    skip = False
    for a in argv:
        if skip:
            skip = False
            continue
        if a in takes_value:
            skip = True
            continue
        if a.startswith("-"):
            continue
        return a
    return None


class _BestEffortFileHandler(logging.FileHandler):
    """The debug log must never be the error the user sees: a record that cannot be written (a full
    disk) is dropped, not printed to stderr as a "--- Logging error ---" traceback."""

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        pass

    def flush(self) -> None:
        try:
            super().flush()
        except OSError:
            pass

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # closing flushes what the full disk refused
            self.stream = None


def _log_places(home: Path | None) -> list[Path]:
    """Where the debug log may go, in order: the home, else a file of this user's in the system's
    temporary folder. Never the working directory (tempfile.gettempdir() falls back to it when no
    temporary folder is writable): a log there is litter in the user's project."""
    places = [home / "jstui-debug.log"] if home is not None else []
    tmp = Path(tempfile.gettempdir())
    try:
        in_cwd = tmp.resolve() == Path.cwd().resolve()
    except OSError:
        in_cwd = True
    if not in_cwd:
        uid = os.getuid() if hasattr(os, "getuid") else os.getpid()
        places.append(tmp / f"jstui-debug-{uid}.log")  # per user: another user's file is not ours to open
    return places


def _setup_logging(debug: bool, home: Path | None) -> Path | None:
    """The debug log's handler; returns its path, or None when no place could take it (a home that
    cannot be entered or written, no writable temporary folder): jstui then runs without one."""
    path: Path | None = None
    handler: logging.Handler = logging.NullHandler()
    for place in _log_places(home):
        try:
            place.parent.mkdir(parents=True, exist_ok=True)
            handler = _BestEffortFileHandler(place, encoding="utf-8")
        except OSError:
            continue
        path = place
        break
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    for old in root.handlers:  # in-process callers (tests) run main() many times: close, don't leak
        old.close()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO)
    # botocore at DEBUG is enormous; keep it at INFO unless asked.
    logging.getLogger("botocore").setLevel(logging.DEBUG if os.environ.get("JSTUI_DEBUG_BOTO") else logging.INFO)
    return path


def resolve_home(arg: str | None) -> Path:
    if arg:
        return Path(arg).expanduser().resolve()
    env = os.environ.get("JSTUI_HOME")
    if env:
        return Path(env).expanduser().resolve()
    import platformdirs

    return Path(platformdirs.user_data_dir("jstui", appauthor=False))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DISABLE_JUMPSTART_LOGGING", "1")
    debug = "--debug" in argv
    log_path: Path | None = None
    try:
        first = _first_positional(argv)
        if first in SUBCOMMANDS:
            idx = argv.index(first)
            parser, mod = _sub_parser(first)
            args = parser.parse_args(argv[:idx] + argv[idx + 1 :])
            args.command = first
        else:
            parser = _main_parser()
            args = parser.parse_args(argv)
            args.command = "export" if args.export else "tui"
            mod = _command(args.command)
        args.home = resolve_home(args.home)
        log_path = _setup_logging(args.debug, args.home)
        args.debug_log = log_path
        log.debug("jstui %s argv=%r", __version__, argv)
        code = int(mod.run(args))
    except _UsageExit as exc:
        print(printable(str(exc)), file=sys.stderr)
        code = ExitCode.USAGE
    except StudyFileError as exc:
        for line in exc.problems:
            print(printable(line), file=sys.stderr)  # lines quote the file's values
        code = exc.exit_code
    except JstuiError as exc:
        print(f"{PROG}: {printable(str(exc))}", file=sys.stderr)  # may quote the service (FailureReason)
        code = exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted; jobs on the service keep running, queued candidates stay queued", file=sys.stderr)
        code = ExitCode.INTERRUPTED
    except BrokenPipeError:
        code = ExitCode.OK
    except Exception as exc:  # a bug
        log.exception("internal error")
        where = f"; details in {log_path}" if log_path else ""
        print(printable(f"{PROG}: internal error: {type(exc).__name__}: {exc}{where}"), file=sys.stderr)
        if debug:
            traceback.print_exc()
        code = ExitCode.INTERNAL
    return int(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
