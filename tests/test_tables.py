from __future__ import annotations

import itertools

import pytest

from nlp.tables import read_rows, read_rows_slice, row_count

LINES = [
    '{"text": "первая"}',
    "",
    "не JSON",
    '{"text": "вторая"}',
    "   ",
    "[1, 2]",
    '{"text": "третья"}',
    '{"text": "четвёртая"}',
]


@pytest.mark.parametrize(("start", "stop"), [(0, 2), (1, 4), (2, 6), (5, 9), (0, 99), (6, 6)])
def test_a_jsonl_slice_is_the_same_rows_as_reading_from_the_start(tmp_path, start, stop):
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(LINES) + "\n", encoding="utf-8")
    expected = list(itertools.islice(read_rows(path), start, stop))
    assert list(read_rows_slice(path, start, stop)) == expected
    assert row_count(path) == len(list(read_rows(path)))


def test_a_csv_slice_keeps_the_file_line_numbers(tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text("id,text\n1,а\n2,б\n3,в\n", encoding="utf-8")
    assert [(n, r["text"]) for n, r, _ in read_rows_slice(path, 1, 3)] == [(3, "б"), (4, "в")]
    assert row_count(path) == 3
