"""Actions never wait for a refresh: with a service whose poll calls never answer (they block on an
Event the test holds), stop, launch, logs and the budget guard's state all complete while the refresh
cycle is still in flight. No timing: the test orders events, it does not race a clock."""

from __future__ import annotations

import threading

from jstui.aws.clients import Clients
from jstui.engine.journal import LAUNCHED, PENDING_STATES
from jstui.engine.session import EngineSession, load
from tests.engine.conftest import write_study


class NeverAnswers:
    """A SageMaker client: every call blocks until `release` is set, except StopHyperParameterTuningJob
    (the action under test), which answers at once."""

    def __init__(self):
        self.entered = threading.Event()  # a call is blocked inside the "service"
        self.release = threading.Event()
        self.stopped: list[str] = []

    def stop_hyper_parameter_tuning_job(self, HyperParameterTuningJobName: str) -> dict:  # noqa: N803
        self.stopped.append(HyperParameterTuningJobName)
        return {}

    def close(self) -> None:
        pass

    def __getattr__(self, operation: str):
        def call(**kwargs):
            self.entered.set()
            self.release.wait()
            return {}

        return call


class Logs:
    def describe_log_streams(self, **kwargs) -> dict:
        return {"logStreams": [{"logStreamName": f"{kwargs['logStreamNamePrefix']}algo-1-1700000000"}]}

    def get_log_events(self, **kwargs) -> dict:
        return {"events": [{"message": "epoch 1 loss 0.5"}], "nextForwardToken": "f/1"}

    def close(self) -> None:
        pass


def test_stop_launch_logs_and_guard_answer_while_a_refresh_never_returns(tmp_path):
    study = load(write_study(tmp_path, models=2))
    sm = NeverAnswers()
    clients = Clients(backend=study.backend, region=study.region, endpoint_url=None, session=None, sagemaker=sm,
                      logs=Logs(), runtime=None, sagemaker_poll=sm)
    session = EngineSession(study, tmp_path / "home", clients=clients)
    first, second = study.candidates
    name = f"{study.name}-running-job"
    session.journal.queue(study.name, first.name, 1, name, first.model_id, state=LAUNCHED)
    refresh = threading.Thread(target=session.refresh, daemon=True)
    refresh.start()
    try:
        sm.entered.wait()  # the refresh is inside a call that will not answer until released
        session.stop(first.name)
        assert sm.stopped == [name]
        chunk = session.logs(f"{name}-001-0123abcd")
        assert chunk.lines == ("epoch 1 loss 0.5",)
        session.launch([second.name])
        assert session.journal.current_launches(study.name)[second.name].state in PENDING_STATES
        assert session.guard.stopped is False and session.snapshot() is not None
        assert refresh.is_alive()  # all of the above happened while the cycle was still in flight
    finally:
        sm.release.set()
        refresh.join()
        session.close()
