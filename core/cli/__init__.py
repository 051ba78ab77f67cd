"""The command line and composition: argument parsing, one module per command, and the only place that
starts the TUI or the emulator server."""
