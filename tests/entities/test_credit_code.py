"""统一社会信用代码: the GB 32100-2015 check character, and clear refusals of malformed codes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ggzy.core.errors import Invalid
from ggzy.entities import credit_code

# The example code printed in GB 32100-2015, and one institution-type code of the same shape.
REAL = ["91350100M000100Y43", "12100000400000624D"]


@pytest.mark.parametrize("code", REAL)
def test_published_codes_pass(code: str) -> None:
    assert credit_code.validate(code) == code


def test_lower_case_and_spaces_are_normalised() -> None:
    assert credit_code.validate("  91350100m000100y43 ") == "91350100M000100Y43"


@given(st.text(alphabet=credit_code.ALPHABET, min_size=10, max_size=10), st.sampled_from(["91", "11", "12", "52"]))
def test_every_made_code_validates_and_any_other_check_character_is_refused(tail: str, head: str) -> None:
    code = credit_code.make(head + "410700" + tail[:9])
    assert credit_code.validate(code) == code
    for wrong in credit_code.ALPHABET:
        if wrong != code[17]:
            with pytest.raises(Invalid, match="校验位错误"):
                credit_code.validate(code[:17] + wrong)


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("9135010M000100Y43", "应为18位"),
        ("91350100M000100Y431", "应为18位"),
        ("91350100M0001O0Y43", "不允许的字符：O"),
        ("91350100I000100Y43", "不允许的字符：I"),
        ("913501A0M000100Y43", "行政区划"),
        ("91350100M000100Y44", "第18位应为「3」"),
    ],
)
def test_malformed_codes_are_refused_with_the_reason(code: str, message: str) -> None:
    with pytest.raises(Invalid, match=message):
        credit_code.validate(code)
