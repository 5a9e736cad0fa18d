"""Presidio configured for Taiwanese chat as a competent user would, for the comparison.

What a careful Presidio user can do offline (no trained Chinese model can be downloaded):

* an `AnalyzerEngine` over a blank spaCy `zh` pipeline (character tokens, no NER);
* `PatternRecognizer`s for national ID and resident certificate that validate the checksum in
  `validate_result`, for phones, licence plates, NHI card, passport, bank account, street
  addresses, birth dates and names (honorific / label / role-word anchored), plus Presidio's
  own email and credit-card recognizers;
* keyword/pattern recognizers for the five rule categories, and a few lines of glue that turn
  the entity list into message categories.

Written from the category definitions, not from dlpbot's lexicons, so the comparison measures
the approach, not a copy. One deliberate adaptation: Chinese characters are `\\w`, so `\\b`
never separates 卡號 from a number; patterns use explicit look-arounds instead. Context words
are put inside the patterns for ambiguous formats, because Presidio's context enhancer compares
whole tokens and a character-segmented pipeline has no multi-character tokens.
"""

from __future__ import annotations

from typing import Any

# Checksum letter codes of the Taiwanese ID (public algorithm, NOTES.md).
_LETTER = dict(zip("ABCDEFGHJKLMNPQRSTUVXYWZIO", range(10, 36), strict=True))
_WEIGHTS = (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1)
_NUM = r"(?<![A-Za-z0-9])"
_END = r"(?![A-Za-z0-9])"

# The entity types dlpbot reports, so the two engines are scored identically.
STRONG = {"TW_NATIONAL_ID", "TW_RESIDENT_ID", "TW_PASSPORT", "TW_NHI_CARD", "CREDIT_CARD"}
STRONG |= {"BANK_ACCOUNT"}
CONTACT = {"PHONE", "EMAIL", "ADDRESS", "LICENSE_PLATE", "BIRTHDATE"}
RULE_CATEGORY = {
    "WB_ROLE": "whistleblower",
    "RAID_OP": "raid",
    "PROC_SECRET": "procurement",
    "CLS_MARK": "classified",
    "CRED_SECRET": "credentials",
}


def tw_id_ok(value: str) -> bool:
    """National ID (second char 1/2) or resident certificate (8/9 new, A-D old) checksum."""
    v = value.upper()
    if len(v) != 10 or v[0] not in _LETTER or not v[2:].isdigit():
        return False
    second = int(v[1]) if v[1].isdigit() else _LETTER.get(v[1], 0) % 10
    code = _LETTER[v[0]]
    digits = (code // 10, code % 10, second, *(int(c) for c in v[2:]))
    return sum(w * d for w, d in zip(_WEIGHTS, digits, strict=True)) % 10 == 0


def build_engine() -> Any:
    """The configured `AnalyzerEngine` (language "zh")."""
    import spacy
    from presidio_analyzer import AnalyzerEngine, Pattern, PatternRecognizer, RecognizerRegistry
    from presidio_analyzer.nlp_engine import SpacyNlpEngine
    from presidio_analyzer.predefined_recognizers import (
        CreditCardRecognizer,
        EmailRecognizer,
    )

    class BlankZhEngine(SpacyNlpEngine):
        """SpacyNlpEngine over `spacy.blank("zh")`: no model download, no NER."""

        def __init__(self) -> None:
            super().__init__(models=[{"lang_code": "zh", "model_name": "blank:zh"}])

        def load(self) -> None:
            self.nlp = {"zh": spacy.blank("zh")}

    class TwIdRecognizer(PatternRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return tw_id_ok(pattern_text)

    def rec(
        entity: str, patterns: list[tuple[str, float]], context: list[str] | None = None
    ) -> Any:
        return PatternRecognizer(
            supported_entity=entity,
            name=f"tw_{entity.lower()}",
            supported_language="zh",
            patterns=[Pattern(f"{entity}_{i}", rx, s) for i, (rx, s) in enumerate(patterns)],
            context=context,
        )

    recognizers = [
        TwIdRecognizer(
            supported_entity="TW_NATIONAL_ID",
            supported_language="zh",
            patterns=[Pattern("nid", _NUM + r"[A-Z][12]\d{8}" + _END, 0.5)],
            context=["身分證", "身份證", "統一編號"],
        ),
        TwIdRecognizer(
            supported_entity="TW_RESIDENT_ID",
            supported_language="zh",
            patterns=[Pattern("rid", _NUM + r"[A-Z][89A-D]\d{8}" + _END, 0.5)],
            context=["居留證", "統一證號"],
        ),
        rec(
            "PHONE",
            [
                (_NUM + r"(?:\+886[\s-]?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{3}" + _END, 0.7),
                (_NUM + r"\(?0[2-8]\)?[\s-]?\d{3,4}[\s-]?\d{3,4}" + _END, 0.4),
            ],
            ["電話", "手機", "聯絡"],
        ),
        rec(
            "LICENSE_PLATE",
            [(_NUM + r"(?:[A-Z]{2,3}-\d{4}|\d{4}-[A-Z]{2}|\d{3}-[A-Z]{3})" + _END, 0.5)],
            ["車牌", "車號"],
        ),
        rec("TW_NHI_CARD", [(r"(?<=健保卡號?[:：\s]{0,3})\d{4}\s?\d{4}\s?\d{4}" + _END, 0.8)]),
        rec("TW_PASSPORT", [(r"(?<=護照(?:號碼)?[:：\s]{0,3})\d{9}" + _END, 0.8)]),
        rec(
            "BANK_ACCOUNT",
            [(r"(?<=(?:帳號|帳戶|匯入|銀行)[^0-9]{0,8})\d[\d-]{8,16}\d" + _END, 0.6)],
        ),
        rec(
            "ADDRESS",
            [
                (
                    r"[\u4e00-\u9fff]{2}[市縣][\u4e00-\u9fff]{1,3}[區鄉鎮市]"
                    r"[\u4e00-\u9fff0-9一二三四五六七八九十]{1,8}?[路街道](?:[一二三四五六七八九十]段)?"
                    r"(?:\d+巷)?(?:\d+弄)?\d+號(?:\d+樓)?(?:之\d+)?",
                    0.7,
                )
            ],
        ),
        rec(
            "BIRTHDATE",
            [
                (
                    r"(?:民國)?[\d一二三四五六七八九十]{2,4}年[\d一二三四五六七八九十]{1,2}月"
                    r"[\d一二三四五六七八九十]{1,3}日(?=\s?(?:出?生))",
                    0.7,
                ),
                (r"(?<=(?:生日|出生)[:：\s]{0,3})\d{4}[/-]\d{1,2}[/-]\d{1,2}", 0.7),
            ],
        ),
        rec(
            "PERSON",
            [
                (r"[\u4e00-\u9fff]{2,3}(?=先生|小姐|女士)", 0.6),
                (r"(?<=姓名[:：\s]{1,3})[\u4e00-\u9fff]{2,3}", 0.7),
                (
                    r"(?<=(?:民眾|申請人|陳情人|檢舉人|舉發人|告發人|個案|車主|病患)\s?)"
                    r"[\u4e00-\u9fff]{2,3}(?=[，,、（(\s的])",
                    0.6,
                ),
            ],
        ),
        rec(
            "WB_ROLE", [(r"(?:檢舉人|陳情人|申訴人|告發人|舉發人|線民|吹哨者?|whistleblower)", 0.6)]
        ),
        rec(
            "RAID_OP",
            [
                (
                    r"(?:搜索票|攻堅|收網|臨檢|查緝|拘提|掃蕩|稽查|搜索)[^。\n]{0,30}"
                    r"(?:明[早天晚]|今[晚天]|後天|下週|週[一二三四五六日]|\d{1,2}[:：]?\d{2}|[點時])",
                    0.7,
                ),
                (
                    r"(?:明[早天晚]|今[晚天]|後天|下週|週[一二三四五六日]|\d{1,2}[:：]?\d{2})"
                    r"[^。\n]{0,30}(?:搜索|攻堅|收網|臨檢|查緝|拘提|掃蕩|稽查|抄)",
                    0.7,
                ),
            ],
        ),
        rec(
            "PROC_SECRET",
            [
                (r"底價(?:[^。\n]{0,12}\d|表|核定|會抓)", 0.7),
                (r"評[選審]委員(?:名單|有誰|[:：])", 0.7),
                (r"(?:投標|領標)(?:的)?(?:廠商)?(?:有|只有)[^。\n]{0,6}[家個]", 0.6),
                (r"(?:服務建議書|投標文件)", 0.5),
            ],
        ),
        rec(
            "CLS_MARK",
            [(r"(?:【密(?:件)?】|密件|極機密|絕對機密|機密|限閱|機敏|請勿外流|机密)", 0.6)],
        ),
        rec(
            "CRED_SECRET",
            [
                (r"(?:密碼|password|pwd|PIN碼?)\s*[:：是為改成]*\s*[^\s，,。]{4,}", 0.7),
                (r"(?:驗證碼|OTP)\s*[:：是]*\s*\d[\d ]{3,7}", 0.7),
                (r"AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}", 0.9),
                (r"(?:token|key)\s*[:：]\s*[A-Za-z0-9_\-/+]{20,}", 0.7),
                (r"[a-z]+://[^:\s]+:[^@\s]+@", 0.8),
            ],
        ),
        EmailRecognizer(supported_language="zh"),
        CreditCardRecognizer(supported_language="zh", context=["信用卡", "卡號"]),
    ]
    registry = RecognizerRegistry(recognizers=recognizers, supported_languages=["zh"])
    return AnalyzerEngine(
        registry=registry,
        nlp_engine=BlankZhEngine(),
        supported_languages=["zh"],
        default_score_threshold=0.4,
    )


def categories_of(entity_types: set[str]) -> set[str]:
    """The glue a user writes on top of Presidio: entities → message categories."""
    cats = {RULE_CATEGORY[t] for t in entity_types if t in RULE_CATEGORY}
    if entity_types & STRONG or ("PERSON" in entity_types and entity_types & CONTACT):
        cats.add("personal_data")
    if "whistleblower" in cats and not (entity_types & (STRONG | CONTACT | {"PERSON"})):
        # A role word alone is usually procedure talk (檢舉人保護法); require who/where.
        cats.discard("whistleblower")
    return cats


def presidio_entity_type(presidio_type: str) -> str:
    """Presidio's built-in names → dlpbot's entity names."""
    return {"EMAIL_ADDRESS": "EMAIL"}.get(presidio_type, presidio_type)
