"""What the NER backend returns: entity spans with labels, independent of the model library."""

from __future__ import annotations

from dataclasses import dataclass

# The 18 OntoNotes entity types CKIP's NER models label (BIOES-tagged in `config.id2label`).
ONTONOTES_TYPES: tuple[str, ...] = (
    "CARDINAL",
    "DATE",
    "EVENT",
    "FAC",
    "GPE",
    "LANGUAGE",
    "LAW",
    "LOC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "ORG",
    "PERCENT",
    "PERSON",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
)


@dataclass(frozen=True, slots=True)
class NerEntity:
    """One entity the model found; `start`/`end` index the text the backend was given.

    There is deliberately no `text` field: callers slice the text they own, so a list of
    entities can be logged or counted without carrying a name along.
    """

    label: str  # an OntoNotes type, e.g. "PERSON"
    start: int
    end: int
