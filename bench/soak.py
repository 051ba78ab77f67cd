"""Soak: the emulator under hostile requests, and jstui killed and doubled up (issue 16), on 127.0.0.1 only.

Everything runs against one emulator served over HTTP from this process (its real server: threads,
timeouts, backlog), so the script can count the server's threads and hold a request at a chosen step.

Hostile requests (figures: counts, and wall seconds where the point is that nothing hangs):
- idle: `--idle` connections opened and left silent (capped below the open-files limit); the server's
  handler threads at their peak, and whether a real call still gets an answer meanwhile.
- load: `--load-threads` client threads make `--load-calls` calls in all (raw HTTP, no retries); how
  many were refused or failed.
- chunked: `--rounds` Transfer-Encoding requests, each followed on the same connection by a smuggled
  request: how many were answered 411, how many smuggled requests were executed (must be 0).
- nested: `--rounds` bodies nested 100,000 deep: answers by status (must all be 400).
- epochs: one CreateHyperParameterTuningJob with `epochs = 1e20` (MaxRuntimeInSeconds one day), then
  Describe/List calls back to back while it runs to its end (a simulated day, ~22 s at speed 4,000):
  mean milliseconds a call, and this process's RSS growth (MB); `epochs_5`, the same with 5 epochs, is
  the baseline.
- regex: a tuning job whose objective regex backtracks catastrophically: seconds to Describe it done.

Kills and concurrent sessions (subprocesses of `jstui`, each a fresh Python):
- deploy: for each of 5 steps of a deploy (still planning; CreateModel, CreateEndpointConfig,
  CreateEndpoint done but unanswered; waiting for InService), `--rounds` times: start `jstui deploy
  --yes`, hold the emulator at that step, kill -9, deploy again; count the endpoints, models and configs
  the candidate then has (must be exactly 1 each), then delete it (must leave none).
- launch: `--rounds` times: start `jstui launch --yes --wait` on a fresh home, kill -9 once the k-th
  tuning job exists, rerun; count Create calls beyond one per candidate, lost and duplicate jobs.
- sessions: `--rounds` times: two `jstui launch --yes --wait` at once on one home, with the emulator's
  tag-lag fault on (tags visible 30 simulated s after a job); count Create calls beyond one per
  candidate, adoptions, and runs that did not exit 0 (the old false "taken by another tool").

Left out: the budget table, which is its own script (`python bench/budget.py`: a $2 budget at five
emulator speeds, attached and with jstui gone after its launches; figures in docs/reliability.md,
"Budget"), a real network, and a real SageMaker (whose tag lag is not documented; 30 simulated s is
a guess that exercises the retry).

    python bench/soak.py [--idle 2000] [--load-threads 500] [--load-calls 2000] [--rounds 2]

Prints one line per figure; JSON on the last line."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path[0] = str(Path(__file__).resolve().parents[1])  # the repo, not bench/ (see bench/support.py)

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections import Counter  # noqa: E402

from bench.support import SAMPLES, clean_env, emit, jstui_command, machine, rss_mb, sagemaker_client, write_study  # noqa: E402,E501
from jstui.emulator import service as emu_service  # noqa: E402
from jstui.emulator.embedded import start_embedded  # noqa: E402

SPEED = 4000.0
CATALOG = SAMPLES / "catalogs" / "caltech256.csv"
FAST_IDS = ["tensorflow-ic-imagenet-mobilenet-v2-100-160", "tensorflow-ic-imagenet-mobilenet-v1-025-128-classification-4"]


def say(text: str) -> None:
    print(text, flush=True)


def _post(host, port, target: str, body: bytes, timeout=30.0) -> int:
    c = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        c.request("POST", "/", body=body, headers={"X-Amz-Target": target,
                                                   "Content-Type": "application/x-amz-json-1.1"})
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()


# --- hostile requests ---------------------------------------------------------------------------
def idle_connections(emu, n: int) -> dict:
    host, port = emu._server.httpd.server_address[:2]
    soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    n = min(n, max(10, soft - 300))
    before = threading.active_count()
    socks, refused = [], 0
    for _ in range(n):
        try:
            socks.append(socket.create_connection((host, port), timeout=30))
        except OSError:
            refused += 1
    peak, t0, answered = threading.active_count(), time.monotonic(), None
    try:
        answered = _post(host, port, "SageMaker.ListHyperParameterTuningJobs", b"{}", timeout=60)
    except OSError:
        answered = None
    wait_s = time.monotonic() - t0
    for _ in range(20):
        peak = max(peak, threading.active_count())
        time.sleep(0.05)
    for s in socks:
        s.close()
    return {"opened": len(socks), "refused": refused, "server_threads_peak": peak - before,
            "real_call_status": answered, "real_call_wait_s": round(wait_s, 2)}


def load(emu, threads: int, calls: int) -> dict:
    host, port = emu._server.httpd.server_address[:2]
    per = max(1, calls // threads)
    outcome: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(threads)

    def worker():
        start.wait()
        for _ in range(per):
            try:
                status = _post(host, port, "SageMaker.ListHyperParameterTuningJobs", b"{}")
                key = "ok" if status == 200 else f"http_{status}"
            except ConnectionRefusedError:
                key = "refused"
            except OSError as exc:
                key = type(exc).__name__
            with lock:
                outcome[key] += 1

    t0 = time.monotonic()
    ts = [threading.Thread(target=worker) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return {"threads": threads, "calls": per * threads, "outcomes": dict(outcome),
            "seconds": round(time.monotonic() - t0, 2)}


def chunked(emu, rounds: int) -> dict:
    host, port = emu._server.httpd.server_address[:2]
    before = emu.emulator.stats.as_dict()["calls"].get("StopHyperParameterTuningJob", 0)
    answered_411 = 0
    for _ in range(rounds):
        smuggled = json.dumps({"HyperParameterTuningJobName": "nope"}).encode()
        second = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.StopHyperParameterTuningJob\r\n"
                  b"Content-Type: application/x-amz-json-1.1\r\nContent-Length: " + str(len(smuggled)).encode()
                  + b"\r\n\r\n" + smuggled)
        body = b"{}"
        req = (b"POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: SageMaker.ListHyperParameterTuningJobs\r\n"
               b"Transfer-Encoding: chunked\r\n\r\n" + b"2\r\n" + body + b"\r\n0\r\n\r\n" + second)
        with socket.create_connection((host, port), timeout=30) as s:
            s.sendall(req)
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        answered_411 += data.startswith(b"HTTP/1.1 411")
    executed = emu.emulator.stats.as_dict()["calls"].get("StopHyperParameterTuningJob", 0) - before
    return {"requests": rounds, "answered_411": answered_411, "smuggled_executed": executed}


def nested(emu, rounds: int) -> dict:
    host, port = emu._server.httpd.server_address[:2]
    statuses: Counter = Counter()
    for i in range(rounds):
        body = b"[" * 100_000 if i % 2 else b'{"a":' * 100_000 + b"1" + b"}" * 100_000
        statuses[str(_post(host, port, "SageMaker.ListHyperParameterTuningJobs", body))] += 1
    return {"requests": rounds, "statuses": dict(statuses)}


def _tuning_request(name: str, static: dict, metric=None) -> dict:
    from tests.emulator.helpers import tuning_request

    req = tuning_request(name, model_id=FAST_IDS[0], max_jobs=2, parallel=2)
    req["TrainingJobDefinition"]["StaticHyperParameters"] = static
    if metric:
        req["TrainingJobDefinition"]["AlgorithmSpecification"]["MetricDefinitions"].append(metric)
        req["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]["MetricName"] = metric["Name"]
    return req


def _follow(sm, name: str, limit_s: float = 600) -> tuple[str, float, int]:
    t0, calls = time.monotonic(), 0
    while True:
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        sm.list_training_jobs_for_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        sm.list_hyper_parameter_tuning_jobs(MaxResults=100)
        calls += 3
        if d["HyperParameterTuningJobStatus"] in ("Completed", "Failed", "Stopped") or time.monotonic() - t0 > limit_s:
            return d["HyperParameterTuningJobStatus"], time.monotonic() - t0, calls


def huge_epochs(emu, epochs: str = "100000000000000000000") -> dict:
    sm = sagemaker_client(emu.url)
    rss0 = rss_mb(os.getpid())
    name = f"soak-epochs-{len(epochs)}"
    req = _tuning_request(name, {"epochs": epochs})
    req["TrainingJobDefinition"]["StoppingCondition"] = {"MaxRuntimeInSeconds": 86400}
    t0 = time.monotonic()
    sm.create_hyper_parameter_tuning_job(**req)
    status, seconds, calls = _follow(sm, name)
    rss1 = rss_mb(os.getpid())
    return {"status": status, "calls": calls, "ms_per_call": round(1000 * seconds / max(1, calls), 1),
            "simulated_s": round(seconds * SPEED), "rss_growth_mb": round((rss1 or 0) - (rss0 or 0), 1),
            "seconds_to_end": round(time.monotonic() - t0, 2)}


def runaway_regex(emu) -> dict:
    sm = sagemaker_client(emu.url)
    req = _tuning_request("soak-regex", {"epochs": "3"}, {"Name": "runaway", "Regex": r"^(.|..)*\d{9}(\d)"})
    t0 = time.monotonic()
    sm.create_hyper_parameter_tuning_job(**req)
    status, _, calls = _follow(sm, "soak-regex")
    return {"status": status, "calls": calls, "seconds_to_end": round(time.monotonic() - t0, 2)}


# --- kills ---------------------------------------------------------------------------------------
def _jstui(home: Path, url: str, *args: str) -> list[str]:
    return jstui_command() + ["--home", str(home), "--endpoint-url", url, *args]


def _hosting(sm) -> tuple[set, set, set]:
    return ({e["EndpointName"] for e in sm.list_endpoints(MaxResults=100)["Endpoints"]},
            {m["ModelName"] for m in sm.list_models(MaxResults=100)["Models"]},
            {c["EndpointConfigName"] for c in sm.list_endpoint_configs(MaxResults=100)["EndpointConfigs"]})


class _Gate:
    def __init__(self, op: str, when: str):
        self.op, self.real = op, emu_service.SAGEMAKER_OPS[op]
        self.reached, self.release = threading.Event(), threading.Event()

        def held(emu, params, region):
            if when == "before" and not self.reached.is_set():
                self.reached.set()
                self.release.wait(60)
            out = self.real(emu, params, region)
            if when == "after" and not self.reached.is_set():
                self.reached.set()
                self.release.wait(60)
            return out

        emu_service.SAGEMAKER_OPS[op] = held

    def remove(self):
        self.release.set()
        emu_service.SAGEMAKER_OPS[self.op] = self.real


DEPLOY_POINTS = [("ListEndpoints", "before"), ("CreateModel", "after"), ("CreateEndpointConfig", "after"),
                 ("CreateEndpoint", "after"), ("DescribeEndpoint", "before")]


def deploy_kills(emu, work: Path, rounds: int) -> dict:
    study = write_study(work, name="soakdeploy", candidates=1, speed=SPEED, model_ids=FAST_IDS[:1])
    home = work / "home-deploy"
    env = clean_env(home)
    subprocess.run(_jstui(home, emu.url, "launch", str(study), "--yes", "--wait"), env=env, check=True,
                   capture_output=True)
    sm = sagemaker_client(emu.url)
    trials, exactly_one, left_after_delete, unreached = 0, 0, 0, 0
    for _ in range(rounds):
        for op, when in DEPLOY_POINTS:
            gate = _Gate(op, when)
            proc = subprocess.Popen(_jstui(home, emu.url, "deploy", str(study), "c0000", "--yes"), env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                if gate.reached.wait(120):
                    proc.send_signal(signal.SIGKILL)
                else:
                    unreached += 1
                proc.wait(timeout=60)
            finally:
                gate.remove()
            again = [subprocess.run(_jstui(home, emu.url, "deploy", str(study), "c0000", "--yes"), env=env,
                                    capture_output=True, text=True, timeout=300) for _ in range(2)]
            e, m, c = _hosting(sm)
            trials += 1
            exactly_one += all(r.returncode == 0 for r in again) and len(e) == 1 and m == e and c == e
            for name in e:
                subprocess.run(_jstui(home, emu.url, "endpoints", str(study), "--delete", name, "--yes"), env=env,
                               capture_output=True, timeout=300)
            deadline = time.monotonic() + 60
            while _hosting(sm)[0] and time.monotonic() < deadline:
                time.sleep(0.05)
            left_after_delete += sum(len(x) for x in _hosting(sm))
    return {"trials": trials, "exactly_one_endpoint_model_config": exactly_one,
            "left_after_delete": left_after_delete, "kill_point_not_reached": unreached}


def _creates(emu) -> int:
    return emu.emulator.stats.as_dict()["calls"].get("CreateHyperParameterTuningJob", 0)


def _adoptions(home: Path, study: str) -> int:
    con = sqlite3.connect(f"file:{home / 'journal.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT COUNT(*) FROM events WHERE study=? AND kind='adopted'", (study,)).fetchone()[0]
    finally:
        con.close()


def launch_kills(emu, work: Path, rounds: int, candidates: int = 4) -> dict:
    sm = sagemaker_client(emu.url)
    extra, lost, dup = 0, 0, 0
    for r in range(rounds):
        name = f"soakkill{r}"
        study = write_study(work, name=name, candidates=candidates, speed=SPEED, max_parallel_tuning_jobs=2,
                            model_ids=FAST_IDS)
        home = work / f"home-kill{r}"
        env = clean_env(home)
        creates0 = _creates(emu)
        proc = subprocess.Popen(_jstui(home, emu.url, "launch", str(study), "--yes", "--wait"), env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        k = 1 + r % candidates
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if len([j for j in sm.list_hyper_parameter_tuning_jobs(NameContains=name, MaxResults=100)[
                    "HyperParameterTuningJobSummaries"]]) >= k:
                break
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        subprocess.run(_jstui(home, emu.url, "launch", str(study), "--yes", "--wait"), env=env, capture_output=True,
                       timeout=600)
        names = [j["HyperParameterTuningJobName"] for j in sm.list_hyper_parameter_tuning_jobs(
            NameContains=name, MaxResults=100)["HyperParameterTuningJobSummaries"]]
        lost += max(0, candidates - len(set(names)))
        dup += len(names) - len(set(names))
        extra += _creates(emu) - creates0 - candidates
    return {"trials": rounds, "candidates_each": candidates, "lost_jobs": lost, "duplicate_jobs": dup,
            "creates_beyond_one_per_candidate": extra}


def two_sessions(emu, work: Path, rounds: int, candidates: int = 4) -> dict:
    emu.set_faults(tag_lag_s=30.0)
    extra, adopted, not_zero = 0, 0, 0
    try:
        for r in range(rounds):
            name = f"soaktwo{r}"
            study = write_study(work, name=name, candidates=candidates, speed=SPEED, max_parallel_tuning_jobs=4,
                                model_ids=FAST_IDS)
            home = work / f"home-two{r}"
            env = clean_env(home)
            creates0 = _creates(emu)
            procs = [subprocess.Popen(_jstui(home, emu.url, "launch", str(study), "--yes", "--wait"), env=env,
                                      stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(2)]
            codes = [p.wait(timeout=600) for p in procs]
            not_zero += sum(1 for c in codes if c != 0)
            extra += _creates(emu) - creates0 - candidates
            adopted += _adoptions(home, name)
    finally:
        emu.set_faults(tag_lag_s=0.0)
    return {"trials": rounds, "sessions_each": 2, "creates_beyond_one_per_candidate": extra,
            "adoptions": adopted, "runs_not_exit_0": not_zero}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--idle", type=int, default=2000)
    ap.add_argument("--load-threads", type=int, default=500)
    ap.add_argument("--load-calls", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--only", metavar="PARTS", help="comma-separated parts to run (default: all)")
    args = ap.parse_args()
    only = set(args.only.split(",")) if args.only else None
    out: dict = {"machine": machine()}
    with tempfile.TemporaryDirectory(prefix="jstui-soak-") as tmp:
        work = Path(tmp)
        with start_embedded(work / "emulator.sqlite", [CATALOG], speed=SPEED, seed=7) as emu:
            for key, fn in (("idle", lambda: idle_connections(emu, args.idle)),
                            ("load", lambda: load(emu, args.load_threads, args.load_calls)),
                            ("chunked", lambda: chunked(emu, 10 * args.rounds)),
                            ("nested", lambda: nested(emu, 5 * args.rounds)),
                            ("epochs_5", lambda: huge_epochs(emu, "5")),  # the baseline for epochs_1e20
                            ("epochs_1e20", lambda: huge_epochs(emu)),
                            ("runaway_regex", lambda: runaway_regex(emu)),
                            ("deploy_kills", lambda: deploy_kills(emu, work, args.rounds)),
                            ("launch_kills", lambda: launch_kills(emu, work, 2 * args.rounds)),
                            ("two_sessions", lambda: two_sessions(emu, work, 2 * args.rounds))):
                if only is not None and key not in only:
                    continue
                t0 = time.monotonic()
                out[key] = fn()
                out[key]["wall_s"] = round(time.monotonic() - t0, 2)
                say(f"{key}: {json.dumps(out[key], sort_keys=True)}")
    checks = {
        "chunked": lambda r: r["smuggled_executed"] == 0 and r["answered_411"] == r["requests"],
        "nested": lambda r: set(r["statuses"]) == {"400"},
        "idle": lambda r: r["real_call_status"] == 200,
        "load": lambda r: r["outcomes"].get("ok") == r["calls"],
        "deploy_kills": lambda r: r["exactly_one_endpoint_model_config"] == r["trials"] and r["left_after_delete"] == 0,
        "launch_kills": lambda r: r["lost_jobs"] == r["duplicate_jobs"] == 0,
        "two_sessions": lambda r: r["creates_beyond_one_per_candidate"] == 0 and r["runs_not_exit_0"] == 0,
    }
    ok = all(check(out[k]) for k, check in checks.items() if k in out)
    out["verdict"] = "meets target" if ok else "MISSES target"
    say(f"verdict: {out['verdict']}")
    emit(out)


if __name__ == "__main__":
    main()
