"""Masking (docs/trust.md §3): names keep their surname and length, phone and ID numbers lose
their middle, masking twice changes nothing — examples, then properties (hypothesis, a fixed
number of examples, derandomized)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from disputes.domain.masking import COMPOUND_SURNAMES, MASK, mask_name, mask_text

PROPERTIES = settings(max_examples=300, derandomize=True, database=None, deadline=None)

HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
SURNAMES = st.sampled_from(["梁", "张", "王", "李", "赵", "郭", *sorted(COMPOUND_SURNAMES)])


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("梁某某", "梁**"),
        ("梁某", "梁*"),
        ("梁", "*"),
        ("欧阳某某", "欧阳**"),
        ("欧阳娜", "欧阳*"),
        ("欧阳", "欧*"),  # a compound surname alone is a surname and a given name
        ("司马光", "司马*"),
        ("阿卜杜·热合曼", "阿**·***"),
        ("John Smith", "J*** S****"),
        ("O'Brien", "O******"),
        ("", ""),
    ],
)
def test_names(name: str, masked: str) -> None:
    assert mask_name(name) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("电话13812345678", "电话138****5678"),
        ("+86 138 1234 5678 打过", "+86 138****5678 打过"),
        ("座机0394-8123456", "座机0394-***3456"),
        ("身份证41272219800101123X。", "身份证4****************X。"),
        ("旧证412722800101123", "旧证4*************3"),
        ("案件HY-2024-0001于2024-03-01登记", "案件HY-2024-0001于2024-03-01登记"),
        ("梁某某与张某争执", "梁**与张*争执"),
    ],
)
def test_free_text(text: str, masked: str) -> None:
    assert mask_text(text, ["梁某某", "张某"]) == masked


@PROPERTIES
@given(surname=SURNAMES, given_name=st.text(HAN, min_size=1, max_size=3))
def test_a_chinese_name_keeps_its_surname_and_length(surname: str, given_name: str) -> None:
    name = surname + given_name
    masked = mask_name(name)
    assert len(masked) == len(name)
    assert masked != name
    kept = len(surname) if len(surname) == 2 and len(name) >= 3 else 1
    assert masked[:kept] == name[:kept]
    assert set(masked[kept:]) == {MASK}


@PROPERTIES
@given(st.text(max_size=30))
def test_masking_a_name_twice_changes_nothing(name: str) -> None:
    assert mask_name(mask_name(name)) == mask_name(name)


@PROPERTIES
@given(
    before=st.text(st.characters(exclude_categories=("Nd",)), max_size=10),
    number=st.from_regex(r"1[3-9]\d{9}", fullmatch=True),
    after=st.text(st.characters(exclude_categories=("Nd",)), max_size=10),
)
def test_a_mobile_number_keeps_only_its_head_and_tail(before: str, number: str, after: str) -> None:
    masked = mask_text(before + number + after)
    assert number not in masked
    assert number[:3] + MASK * 4 + number[-4:] in masked
    assert mask_text(masked) == masked


@PROPERTIES
@given(
    number=st.from_regex(r"\d{17}[\dX]", fullmatch=True),
    names=st.lists(st.text(HAN, min_size=2, max_size=4), max_size=3),
)
def test_an_id_number_and_the_names_are_gone(number: str, names: list[str]) -> None:
    text = "、".join([*names, number])
    masked = mask_text(text, names)
    assert number not in masked
    assert len(masked) == len(text)
    for name in names:
        assert name not in masked.split("、")
    assert mask_text(masked, names) == masked
