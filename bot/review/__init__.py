"""Ethics-staff review: roles, commands, buttons, appeals, audit log, retention and console.

The Telegram side (`commands.py`) is a thin layer over `service.py`, which works on the incident
database alone so every behaviour can be exercised without a Telegram server.
"""
