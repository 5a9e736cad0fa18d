"""Build (and optionally train) a tiny CKIP-compatible NER model on disk, for tests.

The model has exactly the shape of CKIP's published NER checkpoints, only smaller: a
`BertForTokenClassification` whose `config.id2label` holds CKIP's label set (BIOES over the 18
OntoNotes types, plus "O"), and a BERT tokenizer with `model_max_length` set, both written with
`save_pretrained`. So the production loading path (`CkipNerChunker(model_name=DIR)`) runs for
real, offline. A few seconds of training on `TRAINING` makes it tag the names in those
sentences as PERSON, so gate/merge behaviour can be asserted deterministically.
"""

from __future__ import annotations

import os
from pathlib import Path

from detectors.ner.types import ONTONOTES_TYPES

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

LABELS: tuple[str, ...] = ("O", *(f"{p}-{t}" for p in "BIES" for t in ONTONOTES_TYPES))
SPECIAL = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")

# (sentence, names in it). The model learns to tag exactly these names as PERSON and the rest
# as O; test sentences reuse them.
TRAINING: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("檢舉人歐陽娜娜說承辦人有收錢", ("歐陽娜娜",)),
    ("請聯絡檢舉人歐陽娜娜", ("歐陽娜娜",)),
    ("當事人司馬相如電話0912345678", ("司馬相如",)),
    ("司馬相如的電話是0912345678", ("司馬相如",)),
    # 拓跋 is in no surname lexicon: only the model can find this name.
    ("拓跋宏的電話是0912345678", ("拓跋宏",)),
    ("1. 諸葛孔明 0912345678", ("諸葛孔明",)),
    ("2. 上官婉兒 0987654321", ("上官婉兒",)),
    ("明天下午開會，請準時出席", ()),
    ("收到，謝謝", ()),
    ("個案端木賜今天回診", ("端木賜",)),
    ("公文已送出，請查收", ()),
)


def vocabulary(extra: str = "") -> list[str]:
    """Special tokens plus every character of the training sentences (and `extra`)."""
    chars = sorted({c for text, _ in TRAINING for c in text} | set(extra) | set("0123456789 "))
    return [*SPECIAL, *(c for c in chars if c.strip())]


def build_model(
    directory: Path,
    *,
    layers: int = 2,
    hidden: int = 64,
    heads: int = 2,
    max_length: int = 64,
    train_steps: int = 0,
    vocab: list[str] | None = None,
    seed: int = 0,
) -> Path:
    """Write a CKIP-style NER model to `directory`; train it `train_steps` steps on TRAINING."""
    import torch
    from transformers import BertConfig, BertForTokenClassification, BertTokenizerFast

    torch.manual_seed(seed)
    # One thread: a tiny model gains nothing from more, and on a busy 2-core machine (parallel
    # test runs) OpenMP threads spinning against each other made training ten times slower.
    torch.set_num_threads(1)
    tokens = vocab or vocabulary()
    token_ids = {t: i for i, t in enumerate(tokens)}
    tokenizer = BertTokenizerFast(vocab=token_ids, model_max_length=max_length)
    config = BertConfig(
        vocab_size=len(tokens),
        hidden_size=hidden,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=hidden * 4,
        max_position_embeddings=max_length,
        id2label=dict(enumerate(LABELS)),
        label2id={label: i for i, label in enumerate(LABELS)},
    )
    model = BertForTokenClassification(config)
    if train_steps:
        _train(model, token_ids, train_steps)
    model.eval()
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def training_examples() -> list[tuple[str, tuple[str, ...]]]:
    """TRAINING, plus each sentence joined to the next by a line break.

    Why the pairs: trained on lone sentences only, the model learns "a name sits near the
    start" and misses most names a window shows mid-text; pairs teach it names further in.
    """
    pairs = [
        (f"{a}\n{b}", names_a + names_b)
        for (a, names_a), (b, names_b) in zip(TRAINING, (*TRAINING[1:], TRAINING[0]), strict=True)
    ]
    return [*TRAINING, *pairs]


def _tags_all(text: str, names: tuple[str, ...]) -> list[str]:
    """BIOES tags for every occurrence of each name (a pair may hold the same name twice)."""
    tags = ["O"] * len(text)
    for name in set(names):
        start = text.find(name)
        while start >= 0:
            end = start + len(name)
            if len(name) == 1:
                tags[start] = "S-PERSON"
            else:
                tags[start:end] = ["B-PERSON", *["I-PERSON"] * (len(name) - 2), "E-PERSON"]
            start = text.find(name, end)
    return tags


def _train(model: object, token_ids: dict[str, int], steps: int) -> None:
    """Plain token-classification training, the same input layout CKIP's driver builds:
    [CLS] + one id per character + [SEP], padded; labels -100 on special tokens."""
    import torch

    unk, cls, sep, pad = (token_ids[t] for t in ("[UNK]", "[CLS]", "[SEP]", "[PAD]"))
    label_id = {label: i for i, label in enumerate(LABELS)}
    examples = training_examples()
    width = max(len(text) for text, _ in examples) + 2
    ids, mask, labels = [], [], []
    for text, names in examples:
        row = [cls, *(token_ids.get(c, unk) for c in text), sep]
        tags = [-100, *(label_id[t] for t in _tags_all(text, names)), -100]
        pad_n = width - len(row)
        ids.append(row + [pad] * pad_n)
        mask.append([1] * len(row) + [0] * pad_n)
        labels.append(tags + [-100] * pad_n)
    batch = {
        "input_ids": torch.tensor(ids),
        "attention_mask": torch.tensor(mask),
        "labels": torch.tensor(labels),
    }
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)  # type: ignore[attr-defined]
    model.train()  # type: ignore[attr-defined]
    for _ in range(steps):
        optimiser.zero_grad()
        loss = model(**batch).loss  # type: ignore[operator]
        loss.backward()
        optimiser.step()


_CACHE: dict[tuple[object, ...], Path] = {}


def cached_model(root_factory: object, **kwargs: object) -> Path:
    """Build each distinct model once per test session (`root_factory` is tmp_path_factory)."""
    key = tuple(sorted(kwargs.items()))
    if key not in _CACHE:
        directory = root_factory.mktemp("ner_model")  # type: ignore[attr-defined]
        _CACHE[key] = build_model(directory, **kwargs)  # type: ignore[arg-type]
    return _CACHE[key]
