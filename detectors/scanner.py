"""The scanner: normalise → recognise → enhance with context → apply rules → decide.

This is the library's entry point (`Scanner.from_config(cfg).scan(text)`). It knows nothing of
Telegram. Every stage is a separate module; the scanner only wires them and maps the spans of
normalised text back to the caller's original string.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from detectors import context as context_step
from detectors.checksums import SpanSet
from detectors.config import DetectorConfig
from detectors.decide import decide
from detectors.keywords import KeywordMatcher
from detectors.lexicon import Lexicons
from detectors.masking import compact, mask_secret, mask_value
from detectors.normalize import normalize
from detectors.recognizers.base import Match, Recognizer, TextView
from detectors.registry import build_recognizers, build_rules
from detectors.types import ENTITY_TYPES, Finding, ScanResult

# Lexicons the rule stage needs keyword hits for. Rules name them in `lexicons`.
_SURROGATES = re.compile("[\ud800-\udfff]")
# Long texts are scanned in windows that overlap by this much so nothing straddling a cut is lost.
_CHUNK_OVERLAP = 400


class Scanner:
    """Thread-safe after construction; reuse one instance (building it loads lexicons)."""

    def __init__(self, config: DetectorConfig | None = None) -> None:
        self.config = config or DetectorConfig()
        self.lexicons = Lexicons(self.config)
        self.recognizers: list[Recognizer] = build_recognizers(self.config, self.lexicons)
        self._by_name: dict[str, Recognizer] = {r.name: r for r in self.recognizers}
        self.rules = build_rules(self.config, self.lexicons)
        lexicon_names: list[str] = []
        for rule in self.rules:
            for name in getattr(rule, "lexicons", ()):
                if name not in lexicon_names:
                    lexicon_names.append(name)
        # A rule's `anchors` (default: all its lexicons) are the words without which it cannot
        # fire; only those gate the spaCy pass, so "明天開會" does not pay for it.
        anchors = [a for rule in self.rules for a in getattr(rule, "anchors", rule.lexicons)]
        self.keywords = KeywordMatcher(self.lexicons, lexicon_names, anchors=anchors)
        self._allow = {compact(v) for v in self.config.allow_list}
        self.ner: Any = None
        if self.config.ner.backend != "none":
            from detectors.ner import build_backend

            self.ner = build_backend(self.config.ner)

    @classmethod
    def from_config(
        cls, cfg: DetectorConfig | Mapping[str, Any] | str | Path | None = None
    ) -> Scanner:
        """Accepts a `DetectorConfig`, the `[detectors]` mapping, or a path to config.toml."""
        if cfg is None or isinstance(cfg, DetectorConfig):
            return cls(cfg)
        if isinstance(cfg, str | Path):
            return cls(DetectorConfig.from_file(cfg))
        return cls(DetectorConfig.from_mapping(dict(cfg)))

    # -- public API -------------------------------------------------------------------------

    def scan(self, text: str) -> ScanResult:
        """Scan one text. Never raises for bad text; a non-string is a `TypeError`."""
        if not isinstance(text, str):
            raise TypeError(f"scan() takes str, not {type(text).__name__}")
        if not text.strip():
            return ScanResult()
        if _SURROGATES.search(text):
            # Lone surrogates (malformed UTF-16 from some clients) break encoding later; the
            # replacement is one-to-one so offsets still index the caller's string.
            text = _SURROGATES.sub("\ufffd", text)
        limit = self.config.max_chars
        if len(text) <= limit:
            return self._scan_one(text)
        return self._scan_long(text, limit)

    def scan_many(self, texts: Iterable[str]) -> list[ScanResult]:
        """Scan many texts; with an NER backend its model runs once over all gated texts."""
        texts = list(texts)
        if self.ner is None:
            return [self.scan(t) for t in texts]
        batchable = [
            i
            for i, t in enumerate(texts)
            if isinstance(t, str)
            and t.strip()
            and len(t) <= self.config.max_chars
            and not _SURROGATES.search(t)
        ]
        prepared = {i: self._prepare(texts[i]) for i in batchable}
        refined = self.ner.refine_many(
            [(norm.text, raw) for norm, _, raw in prepared.values()],
            self.lexicons,
            self.config.min_score,
        )
        done = {
            i: self._finish(norm, view, raw)
            for (i, (norm, view, _)), raw in zip(prepared.items(), refined, strict=True)
        }
        return [done[i] if i in done else self.scan(t) for i, t in enumerate(texts)]

    def warm_up(self) -> None:
        """Do the lazy set-up now: the keyword matcher's spaCy objects and, when configured,
        the NER model. Long-running callers (the bot) call it once at start-up, off the event
        loop, so the first real message does not pay for it."""
        self.scan("檢舉人王小明 身分證 A123456789 明天搜索")
        if self.ner is not None:
            self.ner.warm_up()

    # -- stages -----------------------------------------------------------------------------

    def _recognise(self, view: TextView) -> list[Match]:
        matches: list[Match] = []
        for rec in self.recognizers:
            matches.extend(rec.analyze(view))
        return matches

    def _filter_allowed(self, matches: list[Match]) -> list[Match]:
        if not self._allow:
            return matches
        return [m for m in matches if compact(m.value or "") not in self._allow]

    @staticmethod
    def _resolve_overlaps(matches: list[Match]) -> list[Match]:
        """Where two entity spans overlap keep the better one (higher score, then longer)."""
        ordered = sorted(matches, key=lambda m: (-m.score, -(m.end - m.start), m.start))
        kept: list[Match] = []
        taken = SpanSet()  # kept spans are disjoint: O(log n) per test, not O(n)
        for m in ordered:
            if not taken.overlaps(m.start, m.end):
                taken.add(m.start, m.end)
                kept.append(m)
        kept.sort(key=lambda m: (m.start, m.end))
        return kept

    def _scan_one(self, text: str) -> ScanResult:
        norm, view, raw = self._prepare(text)
        if self.ner is not None:
            # Gated: the model runs only where a name could change the verdict (detectors/ner).
            raw = self.ner.refine(norm.text, raw, self.lexicons, self.config.min_score)
        return self._finish(norm, view, raw)

    def _prepare(self, text: str) -> tuple[Any, TextView, list[Match]]:
        """Normalise and recognise: the raw matches, before NER, context and rules."""
        norm = normalize(text)
        view = TextView(norm=norm, config=self.config)
        raw = self._recognise(view)
        for m in raw:
            if m.value is None:
                m.value = norm.text[m.start : m.end]
        return norm, view, raw

    def _finish(self, norm: Any, view: TextView, raw: list[Match]) -> ScanResult:
        """Context, allow-list, overlaps, rules and the decision over the raw matches."""
        entities = context_step.enhance(
            norm.text, raw, self._by_name, self.lexicons, self.config.min_score
        )
        entities = self._resolve_overlaps(self._filter_allowed(entities))
        hits = self.keywords.find(norm.text)
        rule_matches: list[Match] = []
        if self.rules:
            from detectors.rules.base import RuleInput

            data = RuleInput(view=view, entities=entities, hits=hits)
            for rule in self.rules:
                rule_matches.extend(rule.evaluate(data))
        decision = decide(entities, rule_matches, self.config)
        spans = SpanSet()
        for e in entities:
            spans.add(e.start, e.end)
        findings = [self._finding(norm, m) for m in entities]
        findings += [self._finding(norm, m, spans.overlaps(m.start, m.end)) for m in rule_matches]
        findings.sort(key=lambda f: (f.start, f.end, f.type))
        reasons = decision.reasons
        if self.ner is not None and self.ner.unavailable:
            reasons = [*reasons, "NER backend unavailable: names from the lexicon only"]
        return ScanResult(
            findings=findings,
            categories=decision.categories,
            severity=decision.severity,
            action=decision.action,
            reasons=reasons,
        )

    def _finding(self, norm: Any, m: Match, covers_entity: bool = False) -> Finding:
        start, end = norm.to_original(m.start, m.end)
        value = m.value if m.value is not None else norm.text[m.start : m.end]
        if m.type in ENTITY_TYPES or m.type.startswith("CREDENTIAL"):
            masked = mask_value(m.type, value)
        else:
            # Rule findings point at keywords ("搜索票", "底價"): safe to show as they are. A rule
            # whose span covers personal values (name + phone) sets `value`: always masked.
            # A composite span (name + phone + address) is masked whole: a per-character mask
            # would still show the head of the name.
            # A span over an entity ("被王小明檢舉的") is masked whatever its length.
            short_keyword = m.value is None and end - start <= 12 and not covers_entity
            masked = norm.original[start:end] if short_keyword else mask_secret(value)
        return Finding(
            type=m.type,
            category=m.category,
            start=start,
            end=end,
            score=m.score,
            detector=m.detector,
            reason=m.reason,
            masked=masked,
        )

    def _scan_long(self, text: str, limit: int) -> ScanResult:
        """Scan a text longer than `max_chars` in overlapping windows and merge the verdicts."""
        started = time.monotonic()
        merged = ScanResult()
        seen: set[tuple[str, int, int]] = set()
        step = max(limit - _CHUNK_OVERLAP, 1)
        for offset in range(0, len(text), step):
            part = self._scan_one(text[offset : offset + limit])
            for f in part.findings:
                key = (f.type, f.start + offset, f.end + offset)
                if key in seen:
                    continue
                seen.add(key)
                merged.findings.append(
                    Finding(
                        type=f.type,
                        category=f.category,
                        start=f.start + offset,
                        end=f.end + offset,
                        score=f.score,
                        detector=f.detector,
                        reason=f.reason,
                        masked=f.masked,
                    )
                )
            merged.categories |= part.categories
            merged.severity = max(merged.severity, part.severity)
            merged.action = max(merged.action, part.action)
            merged.reasons.extend(r for r in part.reasons if r not in merged.reasons)
            if offset + limit >= len(text):
                break
        merged.findings.sort(key=lambda f: (f.start, f.end, f.type))
        merged.reasons.append(
            f"long text ({len(text)} chars) scanned in windows in {time.monotonic() - started:.2f}s"
        )
        return merged
