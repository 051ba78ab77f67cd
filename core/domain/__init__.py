"""The pure domain: the study model, snapshots, spend and prices, the frontier, names, plans of requests,
errors and exit codes. No I/O beyond reading a shipped data table."""
