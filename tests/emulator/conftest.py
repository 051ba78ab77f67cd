from __future__ import annotations

import pytest

from jstui.emulator.embedded import start_embedded

from tests.emulator.helpers import ManualClock, client, write_catalog


@pytest.fixture
def clock():
    return ManualClock()


@pytest.fixture
def catalog(tmp_path):
    return write_catalog(tmp_path)


@pytest.fixture
def emu(tmp_path, catalog, clock):
    with start_embedded(tmp_path / "state.sqlite", [catalog], speed=300, noise=0.0, clock=clock) as e:
        yield e


@pytest.fixture
def sm(emu):
    return client("sagemaker", emu.url)


@pytest.fixture
def logs(emu):
    return client("logs", emu.url)
