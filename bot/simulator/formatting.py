"""Telegram's `parse_mode` handling: formatted text in, plain text plus entities out.

The bot under test sends warnings with HTML or MarkdownV2. Telegram strips the markup, stores
plain text with entities, and rejects malformed markup with 400 "can't parse entities". Doing
the same here means a warning that would fail in production (an unescaped `<` in a user name,
a bare `.` in MarkdownV2) also fails in tests, and tests compare plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from bot.simulator.params import ApiError, bad_request
from bot.simulator.state import utf16_len

_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "span": "spoiler",
}
# A "<" that does not open or close a tag: Telegram demands "&lt;" and rejects the message.
_STRAY_LT = re.compile(r"<(?![A-Za-z/])")
_MDV2_RESERVED = set("_*[]()~`>#+-=|{}.!")


def parse_formatted(
    text: str, parse_mode: str | None, entities: list[dict[str, Any]] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Apply `parse_mode` (HTML, MarkdownV2, Markdown) or keep explicit `entities`."""
    if entities:
        return text, list(entities)
    mode = (parse_mode or "").lower()
    if not mode:
        return text, []
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown(text, v2=True)
    if mode == "markdown":
        return _parse_markdown(text, v2=False)
    raise bad_request(f"unsupported parse_mode {parse_mode!r}")


def _cant_parse(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


class _HtmlToEntities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.length = 0  # UTF-16 units emitted so far
        self.stack: list[tuple[str, int, dict[str, str | None]]] = []
        self.entities: list[dict[str, Any]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise _cant_parse(f'Unsupported start tag "{tag}"')
        attributes = dict(attrs)
        if tag == "span" and attributes.get("class") != "tg-spoiler":
            raise _cant_parse('Tag "span" must have class "tg-spoiler"')
        if tag == "a" and not attributes.get("href"):
            raise _cant_parse('Tag "a" must have attribute "href"')
        self.stack.append((tag, self.length, attributes))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{tag}"')
        name, start, attributes = self.stack.pop()
        if self.length == start:
            return  # Telegram drops empty entities
        entity: dict[str, Any] = {
            "type": _HTML_TAGS[name],
            "offset": start,
            "length": self.length - start,
        }
        if name == "a":
            entity["url"] = attributes["href"]
        if name == "tg-emoji":
            entity["custom_emoji_id"] = attributes.get("emoji-id") or ""
        self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.out.append(data)
        self.length += utf16_len(data)


def _parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    stray = _STRAY_LT.search(text)
    if stray is not None:
        tag = text[stray.end() :].split(">", 1)[0][:32]
        offset = len(text[: stray.start()].encode())
        raise _cant_parse(f'Unsupported start tag "{tag}" at byte offset {offset}')
    parser = _HtmlToEntities()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # an unterminated "<..." left over
        raise _cant_parse("Unclosed start tag")
    if parser.stack:
        tag = parser.stack[-1][0]
        raise _cant_parse(f'Can\'t find end tag corresponding to start tag "{tag}"')
    parser.entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(parser.out), parser.entities


_MD_MARKERS_V2 = (
    ("```", "pre"),
    ("__", "underline"),
    ("||", "spoiler"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
)
_MD_MARKERS_V1 = (("```", "pre"), ("*", "bold"), ("_", "italic"), ("`", "code"))


def _parse_markdown(text: str, *, v2: bool) -> tuple[str, list[dict[str, Any]]]:
    """MarkdownV2 (every reserved character outside markup must be escaped) or legacy Markdown."""
    markers = _MD_MARKERS_V2 if v2 else _MD_MARKERS_V1
    out: list[str] = []
    length = 0
    open_: list[tuple[str, str, int]] = []  # (marker, type, start)
    link_start: list[int] = []
    entities: list[dict[str, Any]] = []
    i = 0
    in_code = False
    while i < len(text):
        ch = text[i]
        if ch == "\\" and v2 and i + 1 < len(text):
            out.append(text[i + 1])
            length += utf16_len(text[i + 1])
            i += 2
            continue
        matched = next(
            (
                (m, t)
                for m, t in markers
                if text.startswith(m, i) and (not in_code or t in ("code", "pre"))
            ),
            None,
        )
        if matched is not None:
            marker, kind = matched
            if open_ and open_[-1][0] == marker:
                _, kind, start = open_.pop()
                if length > start:
                    entities.append({"type": kind, "offset": start, "length": length - start})
                in_code = False
            elif any(m == marker for m, _, _ in open_):
                raise _cant_parse(f"Can't find end of {kind} entity")
            else:
                open_.append((marker, kind, length))
                in_code = kind in ("code", "pre")
            i += len(marker)
            continue
        if not in_code and ch == "[":
            link_start.append(length)
            i += 1
            continue
        if not in_code and ch == "]" and link_start and text.startswith("(", i + 1):
            end = text.find(")", i + 2)
            if end < 0:
                raise _cant_parse("Can't find end of a URL")
            start = link_start.pop()
            entities.append(
                {
                    "type": "text_link",
                    "offset": start,
                    "length": length - start,
                    "url": text[i + 2 : end],
                }
            )
            i = end + 1
            continue
        if v2 and not in_code and ch in _MDV2_RESERVED:
            raise _cant_parse(
                f"Character '{ch}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(ch)
        length += utf16_len(ch)
        i += 1
    if open_:
        raise _cant_parse(f"Can't find end of {open_[-1][1]} entity")
    if link_start:
        raise _cant_parse("Can't find end of a text_link entity")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities
