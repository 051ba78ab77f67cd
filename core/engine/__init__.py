"""The engine: runs a study against SageMaker or the emulator (launcher, poller, journal, budget guard,
snapshot store, hosting) behind one session facade. Never imports textual."""
