"""Only CR, LF and CRLF end a line wherever envnb splits server or user text (issue 10 #7)."""

from __future__ import annotations

import pytest

from envnb._core.lines import line_and_column, split_lines, to_lf
from envnb.conversations.models import Conversation
from envnb.conversations.transcript import conversation_markdown
from envnb.widgets._jsontext import check_json

# Characters str.splitlines() treats as line ends that are ordinary text here.
NOT_LINE_ENDS = "\u2028\u2029\u0085\x0b\x0c\x1c\x1d\x1e"


def test_split_lines_splits_only_at_cr_lf_and_crlf() -> None:
    text = f"a{NOT_LINE_ENDS}b\rc\r\nd\ne\n"
    assert split_lines(text) == [f"a{NOT_LINE_ENDS}b", "c", "d", "e"]
    assert split_lines("") == [] and split_lines("x") == ["x"] and split_lines("\n\n") == ["", ""]
    assert to_lf("a\rb\r\nc\u2028d") == "a\nb\nc\u2028d"


def test_a_question_with_a_line_separator_stays_one_quoted_line() -> None:
    # The instance: U+2028 in a question came out of to_markdown() as two quoted lines.
    question = "Which exports\u2028are paused?\r\nAnd\u0085why?\rThanks"
    conv = Conversation.model_validate(
        {"id": "c1", "title": "t", "messages": [{"type": "human", "content": question, "id": "1"}]}
    )
    md = conversation_markdown(conv)
    assert "> Which exports\u2028are paused?\n> And\u0085why?\n> Thanks\n" in md


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("{\r\r  x}", 3, 3), ("{\r\n\r\n  x}", 3, 3), ('{"a": "\u2028",\n x}', 2, 2)],
)
def test_json_errors_count_cr_lf_and_crlf_as_line_ends(text: str, line: int, column: int) -> None:
    check = check_json(text)
    assert not check.ok and (check.line, check.column) == (line, column)
    assert f"line {line}, column {column}" in check.message
    assert line_and_column(text, len(text))[0] == line
