"""Sub-commands of the `dlpbot` CLI, one module each (see bot/cli.py)."""
