from tests.engine.conftest import emulator  # noqa: F401  (the embedded emulator fixture)
