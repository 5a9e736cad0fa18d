"""Bank and postal accounts: 10-16 digits, kept only near 帳號/帳戶/銀行/郵局/匯款 (context step).

Long digit strings are everywhere in agency chat (公文文號, invoice and order numbers, amounts),
so besides needing context a candidate is dropped when it reads as one of those: preceded by
第/字第/No./$/NT$, followed by 號/元, after an order/invoice/document word, or overlapping an
announced 統一編號. A bank code written before the account ("(822)", "822-") stays outside
the span when it is in parentheses.
"""

from __future__ import annotations

import re

from detectors.checksums import ascii_digit_count, find_numbers, overlaps_company_number
from detectors.config import DetectorConfig
from detectors.lexicon import Lexicons
from detectors.recognizers.base import ContextSpec, Match, TextView
from detectors.types import BANK_ACCOUNT

# Right before the number (spaces and a colon allowed): serials and amounts.
_SERIAL_BEFORE = re.compile(r"(?:第|字第|No\.?|NO\.?|no\.?|#|\$|NT|元|金額)[ :：]*$")
# Right after the number: 號 (document/serial number) or a currency unit.
_SERIAL_AFTER = re.compile(r"[ ]*(?:號|元|塊|圓)")
# A few characters before: what the number is, when it is not an account.
_NOT_ACCOUNT_WORDS = re.compile(
    r"訂單|發票|單號|文號|案號|序號|貨號|條碼|追蹤|統編|統一編號|電話|手機|傳真|"
    r"護照|健保|身分證|身份證|卡號|信用卡|金額|總價|價格|時間|日期|掛號|郵件號碼|包裹|快遞|"
    r"IP|ip|網址|http|參考號|流水號|交易序號"
)
# An IPv4 address (http://192.168.10.40) is digits and dots, never an account.
_IPV4 = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
_LOOKBACK = 8
# A three-digit bank code written before the account with a dash ("700-", "822-"); when the
# digits go on after a cut that starts there, the cut is code + half an account.
_BANK_CODE_HEAD = re.compile(r"[0-9]{3}-")
_CONTINUES = re.compile(r"[ \-.][0-9]")


class BankAccountRecognizer:
    """Finds 10-16 digit account numbers (kept only with banking context)."""

    name = "bank_account"
    entity_types = (BANK_ACCOUNT,)
    context: ContextSpec | None = ContextSpec(lexicon="bank_context", window=24)

    def __init__(self, config: DetectorConfig, lexicons: Lexicons) -> None:
        self.config = config

    def analyze(self, view: TextView) -> list[Match]:
        text = view.text
        if ascii_digit_count(text) < 10:
            return []

        def accept(start: int, end: int, digits: str) -> bool:
            if _BANK_CODE_HEAD.match(text, start) and _CONTINUES.match(text, end):
                return False  # "700-0021345-0678901": the account follows the bank code
            return not (
                _IPV4.fullmatch(text, start, end)
                or _SERIAL_BEFORE.search(text, max(0, start - 6), start)
                or _SERIAL_AFTER.match(text, end)
                or _NOT_ACCOUNT_WORDS.search(text, max(0, start - _LOOKBACK), start)
                or overlaps_company_number(text, start, end)
            )

        return [
            Match(
                type=BANK_ACCOUNT,
                start=start,
                end=end,
                score=0.45,
                detector=self.name,
                reason="十至十六位數字，疑似金融帳號 (10-16 digit number, account format)",
                value=digits,
                needs_context=True,
            )
            for start, end, digits in find_numbers(text, 10, 16, accept)
        ]
