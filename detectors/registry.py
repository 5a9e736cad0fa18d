"""The registry: which recognizers and rules exist, in the order they run.

Entries are ``"module:Class"`` strings so that adding a recognizer is one line here and one
module in `detectors/recognizers/`; `enabled`/`disabled` in the configuration select by the
recognizer's `name`. Every class is constructed as ``Class(config, lexicons)``.
"""

from __future__ import annotations

import importlib
from typing import Any

from detectors.config import ConfigError, DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import Recognizer
from detectors.rules.base import Rule

RECOGNIZERS: tuple[str, ...] = (
    "detectors.recognizers.national_id:NationalIdRecognizer",
    "detectors.recognizers.resident_id:ResidentIdRecognizer",
    "detectors.recognizers.passport:PassportRecognizer",
    "detectors.recognizers.nhi_card:NhiCardRecognizer",
    "detectors.recognizers.credit_card:CreditCardRecognizer",
    "detectors.recognizers.bank_account:BankAccountRecognizer",
    "detectors.recognizers.phone:PhoneRecognizer",
    "detectors.recognizers.email:EmailRecognizer",
    "detectors.recognizers.address:AddressRecognizer",
    "detectors.recognizers.license_plate:LicensePlateRecognizer",
    "detectors.recognizers.birthdate:BirthdateRecognizer",
    "detectors.recognizers.person:PersonRecognizer",
)

RULES: tuple[str, ...] = (
    "detectors.rules.personal_record:PersonalRecordRule",
    "detectors.rules.whistleblower:WhistleblowerRule",
    "detectors.rules.raid:RaidRule",
    "detectors.rules.procurement:ProcurementRule",
    "detectors.rules.classified:ClassifiedRule",
    "detectors.rules.credentials:CredentialsRule",
)


def _load(spec: str) -> Any:
    module_name, _, class_name = spec.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, class_name)


def _name(spec: str) -> str:
    """A detector's name is its module's name (``...recognizers.phone:PhoneRecognizer`` → phone)."""
    return spec.partition(":")[0].rsplit(".", 1)[-1]


def known_names() -> list[str]:
    """Every registered recognizer and rule name, in registry order."""
    return [_name(s) for s in (*RECOGNIZERS, *RULES)]


def _selected(specs: tuple[str, ...], config: DetectorConfig) -> list[str]:
    """The specs the configuration keeps; unknown names are an error, not a silent no-op."""
    known = set(known_names())
    for wanted in (*config.enabled, *config.disabled):
        if wanted not in known:
            raise ConfigError(
                f"detectors.enabled/disabled names unknown detector {wanted!r}; "
                f"known: {', '.join(known_names())}"
            )
    kept = [s for s in specs if not config.enabled or _name(s) in config.enabled]
    return [s for s in kept if _name(s) not in config.disabled]


def build_recognizers(config: DetectorConfig, lexicons: Lexicons) -> list[Recognizer]:
    return [_load(s)(config, lexicons) for s in _selected(RECOGNIZERS, config)]


def build_rules(config: DetectorConfig, lexicons: Lexicons) -> list[Rule]:
    return [_load(s)(config, lexicons) for s in _selected(RULES, config)]


def detector_names() -> list[str]:
    """Names of every registered recognizer and rule (for `dlpbot models check` and docs)."""
    lex = Lexicons(DetectorConfig())
    cfg = DetectorConfig()
    return [r.name for r in build_recognizers(cfg, lex)] + [r.name for r in build_rules(cfg, lex)]
