"""`dlpbot` dispatches to sub-commands and explains itself."""

from __future__ import annotations

import pytest

from bot import cli


def test_every_advertised_subcommand_module_exists_and_has_the_contract() -> None:
    import importlib

    for name, (module_path, _help) in cli.COMMANDS.items():
        module = importlib.import_module(module_path)
        assert callable(module.add_arguments), name
        assert callable(module.run), name


def test_help_lists_the_subcommands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for name in ("scan", "eval", "demo", "run"):
        assert name in out


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(["frobnicate"])
    assert exc.value.code == 2
