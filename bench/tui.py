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
   after the first paint; the peak is reported.

    python bench/tui.py [--repeats 15] [--starts 3] [--settle 3]

Targets: <= 50 ms a refresh (busy, study screen, median), <= 1.5 s to first paint (median of the
starts, each scenario), <= 250 MB (peak of any start).
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
        await app.pop_screen()
        await pilot.pause()
        out["key_latency"] = await key_latency(pilot, snap, repeats)
    out["rows_shown"] = rows_shown
    return out


async def key_latency(pilot, snap, repeats: int) -> dict:
    """How long a key (cursor down) takes to be handled and painted: with nothing else running, and
    pressed just as another thread starts serialising the snapshot the way every engine refresh
    publishes it to the journal (core/snapshot_codec.py, in the refresh worker: it shares the GIL
    with the UI thread)."""
    import threading

    from jstui.engine.snapshot_codec import snapshot_to_json

    idle, busy, serialise_s = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        await pilot.press("down")
        idle.append(time.perf_counter() - t)

    def publish() -> None:
        t = time.perf_counter()
        snapshot_to_json(snap)
        serialise_s.append(time.perf_counter() - t)

    for _ in range(repeats):
        worker = threading.Thread(target=publish, daemon=True)
        worker.start()
        t = time.perf_counter()
        await pilot.press("down")
        busy.append(time.perf_counter() - t)
        await asyncio.get_running_loop().run_in_executor(None, worker.join)
    return {"idle": _ms(idle), "while_publishing": _ms(busy),
            "snapshot_to_json_s": round(statistics.median(serialise_s), 3)}  # fmt: skip


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
    from jstui.engine.snapshot_codec import snapshot_to_json
    from jstui.study import load_study

    study = load_study(study_path)
    journal = Journal.open(home)
    try:
        journal.upsert_study(study.name, study.path, study.backend, study.region)
        for row in snap.tuning_jobs:  # launched, so the app reattaches instead of offering a launch
            journal.queue(study.name, row.candidate, row.generation, row.tuning_job_name or "", row.model_id,
                          state=LAUNCHED)  # fmt: skip
        journal.save_snapshot(study.name, snapshot_to_json(snap))
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15, help="refreshes per scenario")
    ap.add_argument("--settle", type=float, default=3.0, help="seconds to keep sampling memory after the first paint")
    ap.add_argument("--starts", type=int, default=3, help="starts of jstui per scenario (median first paint)")
    opts = ap.parse_args()
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
    keys = refresh["key_latency"]
    print(f"  a key (down) handled and painted: median {keys['idle']['median_ms']:.0f} ms; while the engine's "
          f"snapshot_to_json ({keys['snapshot_to_json_s']} s a refresh) runs in another thread: median "
          f"{keys['while_publishing']['median_ms']:.0f} ms, max {keys['while_publishing']['max_ms']:.0f} ms")
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
        "first_paint": {"new_user": new_user, "big_study": big},
        "targets": {"refresh_ms": REFRESH_TARGET_MS, "first_paint_s": PAINT_TARGET_S, "rss_mb": RSS_TARGET_MB},
        "meets_target": {"refresh": ok_refresh, "first_paint": ok_paint, "memory": ok_rss},
    })  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
