"""The command line's words that more than the CLI needs: the study loader warns when a study file is
named like a subcommand (`jstui status` would read it as one)."""

SUBCOMMANDS = ("launch", "status", "stop", "deploy", "endpoints", "studies", "prices", "emulator", "doctor")
PROG = "jstui"
