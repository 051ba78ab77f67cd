"""The emulator in a thread on an ephemeral port, for one study (the engine's default backend)."""

from __future__ import annotations

from pathlib import Path
from collections.abc import Callable

from jstui.emulator.faults import FaultSettings
from jstui.emulator.server import EmulatorServer
from jstui.emulator.service import Emulator


class EmbeddedEmulator:
    def __init__(self, server: EmulatorServer):
        self._server = server
        self.emulator = server.emulator
        self.url = server.url

    def now(self) -> float:
        """Simulated epoch seconds."""
        return self.emulator.now()

    @property
    def speed(self) -> float:
        return self.emulator.speed

    def set_faults(self, **faults) -> None:
        """throttle_rate=, throttle_tps=, error_rate=, fail_rate=, max_tuning_jobs="""
        self.emulator.faults.update(**faults)

    def stop(self) -> None:
        self._server.stop()

    def __enter__(self) -> EmbeddedEmulator:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def start_embedded(
    state_path: Path,
    catalogs: list[Path],
    speed: float = 300,
    seed: int = 7,
    noise: float = 0.01,
    clock: Callable[[], float] | None = None,
    **faults,
) -> EmbeddedEmulator:
    """Start on 127.0.0.1:<ephemeral>. A state file keeps the speed it was created with: another speed
    raises core.errors.UsageError. `clock` (tests) replaces simulated time by a callable."""
    settings = FaultSettings(**faults)
    emulator = Emulator(Path(state_path), catalogs, speed=speed, seed=seed, noise=noise, clock=clock, faults=settings)
    return EmbeddedEmulator(EmulatorServer(emulator).start())
