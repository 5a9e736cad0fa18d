"""Windows for the NER model: bounded length, overlap, and every span reported exactly once."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from detectors.ner.windows import batched, plan_windows


def test_short_text_is_read_in_one_window():
    [w] = plan_windows("收到，謝謝", size=64, overlap=16)
    assert (w.start, w.end, w.own_start, w.own_end) == (0, 5, 0, 5)


def test_long_text_windows_never_exceed_the_model_length_and_overlap():
    text = "甲" * 1000
    windows = plan_windows(text, size=100, overlap=20)
    assert all(w.end - w.start <= 100 for w in windows)
    assert windows[0].start == 0 and windows[-1].end == 1000
    for a, b in itertools.pairwise(windows):
        assert a.end - b.start == 20


def test_windows_prefer_to_end_after_a_line_break_so_names_are_not_cut():
    text = ("第一行王小明電話\n" * 30).rstrip("\n")
    for w in plan_windows(text, size=50, overlap=20)[:-1]:
        assert text[w.end - 1] == "\n"


def test_a_name_straddling_a_cut_is_reported_by_exactly_one_window_with_full_text_offsets():
    text = "甲" * 90 + "歐陽娜娜" + "乙" * 90
    windows = plan_windows(text, size=96, overlap=16)
    owners = [w for w in windows if w.start <= 90 and w.end >= 94 and w.owns(90 - w.start)]
    assert len(owners) == 1
    w = owners[0]
    window_text = text[w.start : w.end]
    assert window_text[90 - w.start : 94 - w.start] == "歐陽娜娜"


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(0, 600),
    size=st.integers(4, 128),
    overlap=st.integers(0, 64),
    breaks=st.sets(st.integers(0, 599), max_size=40),
)
def test_windows_partition_the_text_so_each_short_span_has_one_owner_that_contains_it(
    n, size, overlap, breaks
):
    text = "".join("\n" if i in breaks else "字" for i in range(n))
    windows = plan_windows(text, size=size, overlap=overlap)
    effective = max(0, min(overlap, size // 2))
    assert all(w.end - w.start <= size for w in windows)
    for pos in range(n):
        owners = [w for w in windows if w.owns(pos - w.start)]
        assert len(owners) == 1
        w = owners[0]
        # Any entity up to half the overlap long that starts here lies inside its owner.
        assert (w.start <= pos and pos + effective // 2 <= w.end) or pos + effective // 2 > n


def test_batches_keep_order_and_size():
    assert [list(b) for b in batched(list(range(7)), 3)] == [[0, 1, 2], [3, 4, 5], [6]]
