"""A local SageMaker-compatible emulator speaking the real wire protocol (docs/emulator.md).

- `server.serve(...)`: the standalone `jstui emulator`; `embedded.start_embedded(...)`: a thread on an
  ephemeral port for one study.
- State lives in SQLite (`store`); a job's progress is computed on read from its stored definition, the
  seed and simulated time (`schedule`, `families`), so restarts and several processes agree.
"""
