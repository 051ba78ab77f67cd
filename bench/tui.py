"""The terminal app at scale: refresh cost, time to first paint, memory.

1. Refresh: the real JstuiApp, driven by `App.run_test` with a fake session, holds a snapshot of
   1,000 tuning jobs and 20,000 training jobs (bench/synthetic.py). Each refresh hands the app a new
   snapshot exactly as the refresh worker does (`on_snapshot_ready`, on the UI thread) and times
   that step: quiet (nothing changed but the clock), busy (10% of the rows changed: jobs completed,
   spend rose), on the study screen and on a tuning job's screen. Then, separately, how long the app
   takes to become idle again (Textual's layout and paint of the changed rows, plus its idle wait).
2. First paint: `jstui` started as a user starts it, in a pseudo-terminal of 160x48, until the
   screen shows a known string: (a) a new user's first run (fresh JSTUI_HOME, the default sample
   study on the embedded emulator), (b) reattaching to a big study whose journal holds its launches
   and the saved snapshot of 1,000 tuning jobs and 20,000 training jobs (`jstui --endpoint-url URL
   --readonly STUDY`, URL a port that never answers: the first poll stays in flight, as on a slow
   link, while the app shows the saved snapshot).
3. Memory: the resident set of those processes, sampled every few ms from start until a few seconds
   after the first paint; the peak is reported. No refresh completes in these (the synthetic study
   has no service behind it): part 4 measures memory with refreshes completing.
4. Keys and memory while the engine refreshes (issue 17): a study of 1,000 finished tuning jobs x 20
   training jobs is created on a `jstui emulator` process (bench/catchup.py's setup, its stored clock
   moved 60 days past every end) and caught up into a jstui home (the bench checks the served study is
   that: N tuning jobs Completed with M training jobs each); then a `jstui emulator` process serves
   that state and `jstui --readonly STUDY` runs in a 160x48 pseudo-terminal attached to it, refreshing
   every 2 s (poller, journal, snapshot build, projection, saves, the TUI applying the snapshot:
   every refresh completes). After its first refresh, cursor-down keys are written to the terminal
   0.3 s apart (+/- 30%), each timed from the write until the output stream draws the next row on
   the cursor's background. Included: the app's input handling, the GIL shared with the engine's
   thread, Textual's paint and the pty. Left out: a real terminal's own drawing; network latency
   (the emulator answers in ~1 ms, so the engine's CPU is denser than on the real service).
   The app's resident set is sampled every 0.1 s: peak and last. Building the state takes minutes:
   `--state-dir DIR` keeps it for the next run.

    python bench/tui.py [--repeats 15] [--starts 3] [--settle 3] [--engine-size 1000x20] [--keys 100]
    python bench/tui.py --only-engine --state-dir /tmp/jstui-bench-state   # part 4 alone

Targets: <= 50 ms a refresh (busy, study screen, median), <= 1.5 s to first paint (median of the
starts, each scenario), <= 250 MB (peak of any start); part 4: key p90 <= 50 ms and max <= 150 ms,
resident memory <= 300 MB (issue 17).
JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (tui.py would shadow `tui`)

import argparse  # noqa: E402
import asyncio  # noqa: E402
import fcntl  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import struct  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import termios  # noqa: E402
import time  # noqa: E402

from bench.support import clean_env, emit, jstui_command, machine, rss_mb, sample_model_ids, verdict, write_study  # noqa: E402,E501
from bench.synthetic import big_snapshot, with_changes  # noqa: E402

REFRESH_TARGET_MS = 50.0
PAINT_TARGET_S = 1.5
RSS_TARGET_MB = 250.0
SIZE = (160, 48)
STUDY = "bench-tui"
BUSY_SHARE = 0.10
_ESCAPES = re.compile(rb"\x1b(\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78DEHMc])")


# --- 1. refresh cost, in-process ------------------------------------------------------------------
class BenchSession:
    """A StudySession over fixed snapshots (core/session.py): the app under test does no I/O."""

    def __init__(self, study, snapshot) -> None:
        self.study = study
        self.readonly = False
        self._snapshot = snapshot

    def snapshot(self):
        return self._snapshot

    def is_launched(self) -> bool:
        return True

    def plan_text(self) -> str:
        return ""

    def refresh(self):
        return self._snapshot

    def launch(self, candidates=None) -> None:
        pass

    def stop(self, candidate: str) -> None:
        pass

    def retry(self, candidate: str) -> None:
        pass

    def logs(self, training_job_name: str, next_token: str | None = None):
        from jstui.engine.protocol import LogChunk

        return LogChunk((), next_token, True)

    def deploy_defaults(self, candidate: str):
        raise NotImplementedError("not part of the bench")

    def deploy(self, *args) -> None:
        raise NotImplementedError("not part of the bench")

    def smoke_invoke(self, endpoint_name: str) -> str:
        raise NotImplementedError("not part of the bench")

    def delete_endpoint(self, endpoint_name: str) -> None:
        raise NotImplementedError("not part of the bench")

    def close(self) -> None:
        pass


def _ms(values: list[float]) -> dict:
    ms = [1000 * v for v in values]
    return {"median_ms": round(statistics.median(ms), 2), "max_ms": round(max(ms), 2), "runs": len(ms)}


async def measure_refresh(study, snap, repeats: int) -> dict:
    from jstui.tui.app import JstuiApp
    from jstui.tui.messages import SnapshotReady
    from jstui.tui.screens.tuning_job import TuningJobScreen

    app = JstuiApp(BenchSession(study, snap), refresh_interval=None, log_interval=None)
    out: dict = {}
    start = time.perf_counter()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        out["first_render_s"] = round(time.perf_counter() - start, 3)  # app start, 1,000 rows added, idle
        rows_shown = app.screen.table.row_count  # type: ignore[attr-defined]  # app.screen is typed Screen; here a StudyScreen
        current = snap
        step = 0

        async def refreshes(kind: str) -> tuple[list[float], list[float]]:
            nonlocal current, step
            applies, idles = [], []
            for _ in range(repeats):
                step += 1
                current = with_changes(current, BUSY_SHARE if kind == "busy" else 0.0, step)
                message = SnapshotReady(current)
                t = time.perf_counter()
                app.on_snapshot_ready(message)  # what the worker's message runs on the UI thread
                applies.append(time.perf_counter() - t)
                t = time.perf_counter()
                await pilot.pause()
                idles.append(time.perf_counter() - t)
            return applies, idles

        for kind in ("quiet", "busy"):
            applies, idles = await refreshes(kind)
            out[f"study_{kind}"] = {**_ms(applies), "until_idle": _ms(idles)}
        # A tuning job's screen: its 20 training jobs are picked out of the 20,000 at every refresh.
        await app.push_screen(TuningJobScreen(snap.tuning_jobs[0].candidate))
        await pilot.pause()
        applies, idles = await refreshes("busy")
        out["tuning_job_busy"] = {**_ms(applies), "until_idle": _ms(idles)}
        # Idle with nothing to do: what `until_idle` costs even when no refresh came.
        t = time.perf_counter()
        for _ in range(repeats):
            await pilot.pause()
        out["idle_baseline_ms"] = round(1000 * (time.perf_counter() - t) / repeats, 2)
    out["rows_shown"] = rows_shown
    return out


# --- 2 and 3. first paint and memory of a real `jstui` in a pseudo-terminal ------------------------
def first_paint(args: list[str], home: Path, marker: str, settle_s: float, timeout_s: float = 30.0) -> dict:
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    env = {**clean_env(home), "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
    start = time.perf_counter()
    proc = subprocess.Popen(jstui_command() + args, stdin=slave, stdout=slave, stderr=slave, env=env,
                            start_new_session=True, close_fds=True)  # fmt: skip
    os.close(slave)
    screen = b""
    painted_at = None
    quit_s: float | None = 0.0
    seen = ""
    peak = at_paint = 0.0
    try:
        while True:
            elapsed = time.perf_counter() - start
            if painted_at is None and elapsed > timeout_s:
                break
            if painted_at is not None and elapsed > painted_at + settle_s:
                break
            ready, _, _ = select.select([master], [], [], 0.005)
            if ready:
                try:
                    chunk = os.read(master, 1 << 16)
                except OSError:  # the process closed the terminal
                    break
                if not chunk:
                    break
                screen += chunk
                shown = _ESCAPES.sub(b"", screen) if painted_at is None else b""
                if painted_at is None and marker.encode() in shown:
                    painted_at = time.perf_counter() - start
                    at_paint = rss_mb(proc.pid) or 0.0
                    at = shown.index(marker.encode())
                    seen = " ".join(shown[max(0, at - 60) : at + 60].decode("utf-8", "replace").split())
            rss = rss_mb(proc.pid)
            if rss:
                peak = max(peak, rss)
            if proc.poll() is not None:
                break
    finally:
        exit_code = proc.poll()
        if exit_code is None:
            quit_start = time.perf_counter()
            os.write(master, b"\x11")  # ctrl+q: Textual's quit, which works under a modal too
            while proc.poll() is None and time.perf_counter() - quit_start < 10:
                if select.select([master], [], [], 0.05)[0]:  # keep draining: a full pty blocks the app
                    try:
                        os.read(master, 1 << 16)
                    except OSError:
                        break
            try:  # the terminal closes a moment before the process ends
                proc.wait(timeout=max(0.1, 10 - (time.perf_counter() - quit_start)))
            except subprocess.TimeoutExpired:
                pass
            quit_s = time.perf_counter() - quit_start
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)
                quit_s = None
        os.close(master)
    text = _ESCAPES.sub(b"", screen).decode("utf-8", "replace")
    return {
        "command": "jstui " + " ".join(args),
        "first_paint_s": None if painted_at is None else round(painted_at, 3),
        "rss_at_paint_mb": round(at_paint, 1),
        "peak_rss_mb": round(peak, 1),
        "exit_code_before_quit": exit_code,
        "quit_s": None if quit_s is None else round(quit_s, 2),  # None: ctrl+q did not end it in 10 s
        "seen": seen,  # the painted text around the marker
        "tail": None if painted_at is not None else text[-300:],
    }


def paints(args: list[str], home_of, marker: str, opts) -> dict:
    """Several starts; the median first paint, the highest memory, the runs themselves."""
    runs = [first_paint(args, home_of(i), marker, opts.settle) for i in range(opts.starts)]
    times = [r["first_paint_s"] for r in runs]
    return {
        "command": runs[0]["command"],
        "first_paint_s": None if None in times else round(statistics.median(times), 3),
        "first_paint_max_s": None if None in times else max(times),
        "rss_at_paint_mb": max(r["rss_at_paint_mb"] for r in runs),
        "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
        "tail": next((r["tail"] for r in runs if r["tail"]), None),
        "runs": runs,
    }


def prepare_big_home(home: Path, study_path: Path, snap) -> Path:
    from jstui.engine.journal import LAUNCHED, Journal
    from jstui.engine.snapshot_codec import snapshot_to_blob
    from jstui.study import load_study

    study = load_study(study_path)
    journal = Journal.open(home)
    try:
        journal.upsert_study(study.name, study.path, study.backend, study.region)
        for row in snap.tuning_jobs:  # launched, so the app reattaches instead of offering a launch
            journal.queue(study.name, row.candidate, row.generation, row.tuning_job_name or "", row.model_id,
                          state=LAUNCHED)  # fmt: skip
        journal.save_snapshot(study.name, snapshot_to_blob(snap))
    finally:
        journal.close()
    return home


class SilentService:
    """A TCP port that takes connections and never answers: a service on a slow link. The app's
    first poll then stays in flight while it shows the saved snapshot, as when a user reattaches
    to a big study (here the poll could not rebuild the 20,000 rows anyway: they are synthetic)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)  # the kernel completes connections; nothing reads or writes them
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def close(self) -> None:
        self.sock.close()


# --- 4. keys and memory of a real `jstui` while its engine refreshes a 20,000-job study ------------
KEY_P90_TARGET_MS = 50.0
KEY_MAX_TARGET_MS = 150.0
ENGINE_RSS_TARGET_MB = 300.0
_SGR = re.compile(rb"\x1b\[([0-9;]*)m")
_MOVE = re.compile(rb"\x1b\[\d+;\d+H")


def refreshing_study(state_dir: Path, n: int, m: int) -> dict:
    """An emulator state holding N finished tuning jobs x M training jobs and a jstui home whose journal
    has caught up on them (bench/catchup.py's setup: a `jstui emulator` process whose stored clock is
    moved 60 days past every job's end). Kept in `state_dir` and reused when it is there (building it takes minutes)."""
    import pickle

    meta = state_dir / "meta.pkl"
    if not meta.exists():
        from bench.catchup import emulator, setup, watch

        state_dir.mkdir(parents=True, exist_ok=True)
        state, study, names = setup(state_dir, n, m)  # its clock is then 60 days past every job's end
        emu = emulator(state, n)
        try:
            session = watch(study, names, state_dir / "home", emu.url)
            session.refresh(strict=True)
            session.close()
        finally:
            emu.stop()
        meta.write_bytes(pickle.dumps({"study_path": str(study.path), "study": study.name, "n": n, "m": m}))
    out = pickle.loads(meta.read_bytes())
    out["emulator_state"] = str(state_dir / f"emu-{n}x{m}.sqlite")
    out["home"] = str(state_dir / "home")
    return out


def _cursor_bg(stream: bytes, name: bytes) -> list[bytes]:
    """The background colour each drawing of `name` in `stream` had (the last SGR background set on
    its line before it): a row under the DataTable's cursor is drawn on the cursor's background."""
    found = []
    for at in [i for i in range(len(stream)) if stream.startswith(name, i)]:
        line_start = max((mt.end() for mt in _MOVE.finditer(stream, 0, at)), default=0)
        bg = b""
        for sgr in _SGR.finditer(stream, line_start, at):
            params = sgr.group(1).split(b";")
            for i, p in enumerate(params):
                if p == b"48" and i + 1 < len(params):
                    bg = b";".join(params[i : i + (5 if params[i + 1] == b"2" else 3)])
                elif p in (b"0", b"", b"49"):
                    bg = b""
        found.append(bg)
    return found


class _Terminal:
    """A pseudo-terminal running `jstui`: output read on a thread, time-stamped; resident memory sampled."""

    def __init__(self, args: list[str], home: Path) -> None:
        import threading

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        env = {**clean_env(home), "TERM": "xterm-256color", "COLUMNS": str(SIZE[0]), "LINES": str(SIZE[1])}
        self.proc = subprocess.Popen(jstui_command() + args, stdin=slave, stdout=slave, stderr=slave, env=env,
                                     start_new_session=True, close_fds=True)  # fmt: skip
        os.close(slave)
        self.master = master
        self.chunks: list[tuple[float, bytes]] = []
        self.rss: list[tuple[float, float]] = []
        self._lock = threading.Lock()
        self._done = False
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _read(self) -> None:
        while not self._done:
            if select.select([self.master], [], [], 0.05)[0]:
                try:
                    chunk = os.read(self.master, 1 << 16)
                except OSError:
                    return
                if not chunk:
                    return
                with self._lock:
                    self.chunks.append((time.perf_counter(), chunk))

    def _sample(self) -> None:
        while not self._done and self.proc.poll() is None:
            rss = rss_mb(self.proc.pid)
            if rss:
                self.rss.append((time.perf_counter(), rss))
            time.sleep(0.1)

    def since(self, t: float) -> list[tuple[float, bytes]]:
        with self._lock:
            return [c for c in self.chunks if c[0] >= t]

    def text(self) -> bytes:
        with self._lock:
            return b"".join(c for _, c in self.chunks)

    def wait_for(self, marker: bytes, timeout_s: float) -> bool:
        end = time.perf_counter() + timeout_s
        while time.perf_counter() < end:
            if marker in _ESCAPES.sub(b"", self.text()):
                return True
            if self.proc.poll() is not None:  # it ended (a bad study file, a crash): its last words say why
                tail = _ESCAPES.sub(b"", self.text())[-600:].decode(errors="replace")
                raise SystemExit(f"jstui ended with exit code {self.proc.returncode} before showing {marker!r}: {tail}")
            time.sleep(0.05)
        return False

    def close(self) -> None:
        if self.proc.poll() is None:
            os.write(self.master, b"\x11")  # ctrl+q
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.terminate()
                self.proc.wait(timeout=10)
        self._done = True
        time.sleep(0.1)
        os.close(self.master)


def _cpu_s(pid: int) -> float:
    """User + system CPU seconds of a live process (Linux /proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _list_calls(url: str) -> int:
    from bench.support import emulator_stats

    return int(emulator_stats(url)["calls"].get("ListHyperParameterTuningJobs", 0))


def _time_keys(term: _Terminal, keys: int, gap_s: float) -> list[float | None]:
    """Write `keys` cursor-down keys; each one's seconds until the output draws the next row (c0001,
    c0002, ...) on the cursor's background (learnt from the first key), None if not within 5 s."""
    import random

    rng = random.Random(17)
    latencies: list[float | None] = []
    cursor_bg: bytes | None = None
    for k in range(1, keys + 1):
        name = f"c{k:04d}".encode()
        before = set(_cursor_bg(term.text(), name)[-1:])  # the row's background before the key
        t = time.perf_counter()
        os.write(term.master, b"\x1b[B")  # cursor down, as the terminal sends it
        seen, done = None, 0
        while time.perf_counter() - t < 5.0 and seen is None:
            chunks = term.since(t)
            if len(chunks) == done:
                time.sleep(0.002)
                continue
            for i in range(done, len(chunks)):
                bgs = [bg for bg in _cursor_bg(b"".join(c for _, c in chunks[: i + 1]), name) if bg]
                if cursor_bg is None:
                    new = [bg for bg in bgs if bg not in before]
                    if new:
                        cursor_bg = new[-1]  # learnt from the first key: the row it moved to changed to it
                if cursor_bg is not None and cursor_bg in bgs:
                    seen = chunks[i][0]
                    break
            done = len(chunks)
        latencies.append(None if seen is None else seen - t)
        time.sleep(max(0.0, gap_s * rng.uniform(0.7, 1.3) - (time.perf_counter() - t)))
    return latencies


def _key_figures(latencies: list[float | None]) -> dict:
    ms = sorted(1000 * x for x in latencies if x is not None)
    p90 = ms[max(0, int(round(0.9 * len(ms))) - 1)] if ms else None
    return {"keys_seen": len(ms), "key_median_ms": round(statistics.median(ms), 1) if ms else None,
            "key_p90_ms": None if p90 is None else round(p90, 1), "key_max_ms": round(max(ms), 1) if ms else None}  # fmt: skip


def _check_served(url: str, n: int, m: int) -> None:
    """The emulator process serves the study the figures claim: N tuning jobs, ended, of M training jobs
    each (a state whose clock was not kept would serve jobs created "in the future": none listed, and
    jstui would show every candidate as unknown to the service)."""
    from bench.support import sagemaker_client

    pages = sagemaker_client(url).get_paginator("list_hyper_parameter_tuning_jobs").paginate(MaxResults=100)
    summaries = [s for page in pages for s in page["HyperParameterTuningJobSummaries"]]
    ended = [s for s in summaries if s["HyperParameterTuningJobStatus"] == "Completed"
             and sum(s["TrainingJobStatusCounters"].values()) == m]
    if len(ended) != n:
        raise SystemExit(f"the emulator serves {len(summaries)} tuning jobs, {len(ended)} of them Completed with "
                         f"{m} training jobs; expected {n}: rebuild the state (delete --state-dir)")


def keys_while_refreshing(state: dict, keys: int, gap_s: float, warmup_s: float, timeout_s: float = 600.0) -> dict:
    """`jstui --readonly STUDY` in a 160x48 pseudo-terminal, attached to a `jstui emulator` process holding
    the study; the app refreshes every 2 s as a user's would (the engine's poller, journal, incremental
    snapshot build, budget projection, saves, then the TUI applying the snapshot). Once its first
    refresh completed (the emulator counted the list calls of a cycle), `keys` cursor-down keys are
    written to the terminal `gap_s` apart (+/- 30%, seeded), and each is timed from the write until the
    terminal output draws the next row on the cursor's background (parsed from the output stream).
    The resident set of the app is sampled every 0.1 s throughout: peak and last."""
    n = state["n"]
    # A cycle lists the tuning jobs, 100 a page: a quiet one of this finished study costs ceil(N/100)
    # ListHyperParameterTuningJobs calls and nothing else (counted with /_emulator/stats), so the calls
    # count the refresh cycles.
    cycle_calls = -(-n // 100)
    emu = subprocess.Popen([*jstui_command(), "emulator", "--port", "0", "--state", state["emulator_state"],
                            "--catalog", str(Path(__file__).resolve().parents[1] / "sample_studies" / "catalogs" / "caltech256.csv"),
                            "--max-tuning-jobs", str(n + 10)],
                           stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                           env=clean_env(Path(state["home"]) / "emulator-home"))  # fmt: skip
    term = None
    try:
        line = emu.stderr.readline() if emu.stderr else ""
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith("http"), f"the emulator said {line!r}"
        _check_served(url, n, state["m"])
        home = Path(state["home"])
        t0 = time.perf_counter()
        term = _Terminal(["--endpoint-url", url, "--readonly", state["study_path"]], home)
        painted = term.wait_for(b"c0000", timeout_s)
        first_paint_s = time.perf_counter() - t0
        calls0 = _list_calls(url)
        deadline = time.perf_counter() + timeout_s
        while _list_calls(url) < calls0 + 2 * cycle_calls and time.perf_counter() < deadline:
            time.sleep(0.2)  # the first complete cycle (the one in flight at paint, then one more)
        first_refresh_s = time.perf_counter() - t0
        time.sleep(warmup_s)
        rss_before = term.rss[-1][1] if term.rss else None
        calls_start = _list_calls(url)
        cpu = _cpu_s(term.proc.pid), _cpu_s(emu.pid), time.perf_counter()
        latencies = _time_keys(term, keys, gap_s)
        app_cpu, emu_cpu, keys_wall = _cpu_s(term.proc.pid) - cpu[0], _cpu_s(emu.pid) - cpu[1], time.perf_counter() - cpu[2]
        refreshes = (_list_calls(url) - calls_start) / cycle_calls
        duration = time.perf_counter() - t0
        rss_peak = max(r for _, r in term.rss) if term.rss else None
        rss_last = term.rss[-1][1] if term.rss else None
    finally:
        if term is not None:
            term.close()
        emu.terminate()
        emu.wait(timeout=30)
    # The same keys with no refresh completing (a port that never answers): what the machine's load
    # alone costs a key, for comparison.
    service = SilentService()
    quiet = _Terminal(["--endpoint-url", service.url, "--readonly", state["study_path"]], Path(state["home"]))
    try:
        quiet.wait_for(b"c0000", timeout_s)
        time.sleep(warmup_s)
        cpu0, t = _cpu_s(quiet.proc.pid), time.perf_counter()
        baseline = _key_figures(_time_keys(quiet, keys, gap_s))
        baseline.update(app_cpu_s=round(_cpu_s(quiet.proc.pid) - cpu0, 2), wall_s=round(time.perf_counter() - t, 1))
    finally:
        quiet.close()
        service.close()
    return {
        "size": f"{n}x{state['m']}", "painted": painted, "first_paint_s": round(first_paint_s, 2),
        "first_refresh_done_s": round(first_refresh_s, 1), "keys": keys,
        "refreshes_during_keys": round(refreshes, 1), "seconds": round(duration, 1), "keys_wall_s": round(keys_wall, 1),
        "app_cpu_s_during_keys": round(app_cpu, 2), "emulator_cpu_s_during_keys": round(emu_cpu, 2),
        **_key_figures(latencies), "baseline_no_refresh": baseline,
        "rss_after_first_refresh_mb": None if rss_before is None else round(rss_before), "rss_peak_mb": None if rss_peak is None else round(rss_peak),
        "rss_last_mb": None if rss_last is None else round(rss_last),
    }  # fmt: skip


DEFAULT_LAUNCHED_RSS_TARGET_MB = 150.0


def default_study_launched(home: Path, after_s: float = 15.0, timeout_s: float = 120.0) -> dict:
    """A new user's first start (fresh home, the default sample study on the embedded emulator) in a
    160x48 pseudo-terminal: the launch plan is confirmed with the keyboard (right arrow to "Launch",
    Enter), then the app's resident set (the process itself: the JumpStart worker child process has
    exited by then and is not counted) is sampled until `after_s` after the launched rows show."""
    term = _Terminal([], home)
    try:
        asked = term.wait_for(b"Launch", timeout_s)
        time.sleep(1.0)
        os.write(term.master, b"\x1b[C")  # right: from Cancel (focused) to Launch
        time.sleep(0.3)
        os.write(term.master, b"\r")
        t = time.perf_counter()
        launched = term.wait_for(b"InProgress", timeout_s) or term.wait_for(b"Running", 1)
        shown_s = time.perf_counter() - t
        time.sleep(after_s)
        rss = [r for at, r in term.rss if at >= t]
        cpu = _cpu_s(term.proc.pid)
    finally:
        term.close()
    return {"asked": asked, "launched": launched, "rows_shown_after_s": round(shown_s, 1),
            "rss_after_launch_mb": round(rss[-1]) if rss else None, "rss_peak_after_launch_mb": round(max(rss)) if rss else None,
            "app_cpu_s": round(cpu, 1)}  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15, help="refreshes per scenario")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to keep sampling memory after the first paint")
    ap.add_argument("--starts", type=int, default=3, help="starts of jstui per scenario (median first paint)")
    ap.add_argument("--engine-size", default="1000x20", help="NxM of the study the keys are timed on (0 skips part 4)")
    ap.add_argument("--keys", type=int, default=100, help="cursor-down keys written while the engine refreshes")
    ap.add_argument("--gap", type=float, default=0.3, help="seconds between keys (+/- 30%%)")
    ap.add_argument("--warmup", type=float, default=5.0, help="seconds after the first refresh before the keys")
    ap.add_argument("--state-dir", type=Path, help="keep (and reuse) the big study's emulator state and home here")
    ap.add_argument("--only-engine", action="store_true", help="run part 4 only")
    opts = ap.parse_args()
    engine = None
    if opts.engine_size != "0":
        n, m = (int(x) for x in opts.engine_size.lower().split("x"))
        with tempfile.TemporaryDirectory(prefix="jstui-bench-tui-engine-") as tmp:
            state = refreshing_study(opts.state_dir or Path(tmp) / "state", n, m)
            engine = keys_while_refreshing(state, opts.keys, opts.gap, opts.warmup)
        ok_keys = (engine["keys_seen"] == engine["keys"] and engine["key_p90_ms"] <= KEY_P90_TARGET_MS
                   and engine["key_max_ms"] <= KEY_MAX_TARGET_MS)  # fmt: skip
        ok_engine_rss = (engine["rss_peak_mb"] or 0) <= ENGINE_RSS_TARGET_MB
        print(f"keys in a real pseudo-terminal, {engine['size']} study, the engine refreshing "
              f"({engine['refreshes_during_keys']} refreshes completed during {engine['keys']} keys): "
              f"median {engine['key_median_ms']} ms, p90 {engine['key_p90_ms']} ms, max {engine['key_max_ms']} ms "
              f"({engine['keys_seen']} of {engine['keys']} seen; target p90 <= {KEY_P90_TARGET_MS:g}, max <= "
              f"{KEY_MAX_TARGET_MS:g} ms): {verdict(ok_keys)}")
        b = engine["baseline_no_refresh"]
        print(f"  the same keys with no refresh completing (the machine's load alone): median {b['key_median_ms']} ms, "
              f"p90 {b['key_p90_ms']} ms, max {b['key_max_ms']} ms; the app's CPU {b['app_cpu_s']} s in {b['wall_s']} s "
              f"(refreshing: the app {engine['app_cpu_s_during_keys']} s, the emulator process "
              f"{engine['emulator_cpu_s_during_keys']} s in {engine['keys_wall_s']} s)")
        print(f"  resident memory of that jstui: {engine['rss_after_first_refresh_mb']} MB after its first refresh, "
              f"peak {engine['rss_peak_mb']} MB, last {engine['rss_last_mb']} MB (target <= {ENGINE_RSS_TARGET_MB:g} MB): "
              f"{verdict(ok_engine_rss)}")
        engine.update(meets_target={"keys": ok_keys, "memory": ok_engine_rss})
    with tempfile.TemporaryDirectory(prefix="jstui-bench-tui-launch-") as tmp:
        launched = default_study_launched(Path(tmp) / "home")
    ok_launched = (launched["rss_peak_after_launch_mb"] or 1e9) <= DEFAULT_LAUNCHED_RSS_TARGET_MB
    print(f"default study launched from the TUI (new user): rows after {launched['rows_shown_after_s']} s; resident "
          f"memory {launched['rss_after_launch_mb']} MB 15 s later, peak {launched['rss_peak_after_launch_mb']} MB "
          f"(target <= {DEFAULT_LAUNCHED_RSS_TARGET_MB:g} MB): {verdict(ok_launched)}")
    launched["meets_target"] = ok_launched
    if opts.only_engine:
        emit({"bench": "tui", "machine": machine(), "engine": engine, "default_launched": launched})
        return 0
    from jstui.study import load_study

    with tempfile.TemporaryDirectory(prefix="jstui-bench-tui-") as tmp:
        tmp_path = Path(tmp)
        study_path = write_study(tmp_path, name=STUDY, candidates=1000)
        study = load_study(study_path)
        snap = big_snapshot(study.name, sample_model_ids())
        refresh = asyncio.run(measure_refresh(study, snap, opts.repeats))
        # a fresh home each run: every run is somebody's very first start
        new_user = paints([], lambda i: tmp_path / f"home-new-{i}", "swin-large-patch4-window12-384", opts)
        service = SilentService()
        try:
            big = paints(["--endpoint-url", service.url, "--readonly", STUDY],
                         lambda i: prepare_big_home(tmp_path / f"home-big-{i}", study_path, snap), "c0000", opts)
        finally:
            service.close()
    busy = refresh["study_busy"]["median_ms"]
    paint_times = [r["first_paint_s"] for r in (new_user, big)]
    peaks = [r["peak_rss_mb"] for r in (new_user, big)]
    ok_refresh = busy <= REFRESH_TARGET_MS
    ok_paint = all(p is not None and p <= PAINT_TARGET_S for p in paint_times)
    ok_rss = max(peaks) <= RSS_TARGET_MB
    print(f"TUI with {len(snap.tuning_jobs)} tuning jobs and {len(snap.training_jobs)} training jobs "
          f"({refresh['rows_shown']} rows in the study table, {SIZE[0]}x{SIZE[1]})")
    for key, label in (("study_quiet", "study screen, quiet refresh"), ("study_busy", "study screen, 10% rows changed"),
                       ("tuning_job_busy", "tuning-job screen, 10% changed")):
        r = refresh[key]
        print(f"  {label:34s} apply median {r['median_ms']:7.2f} ms (max {r['max_ms']:.2f}); "
              f"until idle median {r['until_idle']['median_ms']:.1f} ms")
    print(f"  idle wait with nothing to do: {refresh['idle_baseline_ms']} ms; first render of the app: "
          f"{refresh['first_render_s']} s")
    print(f"  refresh target <= {REFRESH_TARGET_MS:g} ms: {verdict(ok_refresh)}")
    for label, r in (("new user, default study", new_user), ("big study reopened", big)):
        paint = "never" if r["first_paint_s"] is None else f"{r['first_paint_s']:.2f} s (max {r['first_paint_max_s']:.2f})"
        print(f"  first paint, {label:24s} {paint:>17}  rss at paint {r['rss_at_paint_mb']:.0f} MB, "
              f"peak {r['peak_rss_mb']:.0f} MB  ({r['command']})")
        if r["tail"]:
            print(f"    screen so far: {r['tail']!r}")
    print(f"  first paint target <= {PAINT_TARGET_S:g} s: {verdict(ok_paint)}; memory target <= "
          f"{RSS_TARGET_MB:g} MB: {verdict(ok_rss)}")
    emit({
        "bench": "tui", "machine": machine(), "tuning_jobs": len(snap.tuning_jobs),
        "training_jobs": len(snap.training_jobs), "size": list(SIZE), "refresh": refresh,
        "first_paint": {"new_user": new_user, "big_study": big}, "engine": engine, "default_launched": launched,
        "targets": {"refresh_ms": REFRESH_TARGET_MS, "first_paint_s": PAINT_TARGET_S, "rss_mb": RSS_TARGET_MB},
        "meets_target": {"refresh": ok_refresh, "first_paint": ok_paint, "memory": ok_rss},
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
