"""An answer shown while it is written, and still checked as typed output at the end."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import HumanMessage

from assistant.errors import ProviderUnavailableError
from assistant.providers.fakes import ScriptedChatModel
from assistant.providers.streaming import partial_string_field, stream_structured
from assistant.qa.models import ModelAnswer


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"not_found": false, ', None),
        ('{"answer": "', ""),
        ('{"answer": "接口联调计划于5月', "接口联调计划于5月"),
        ('{"answer": "line one\\nline \\"two\\"', 'line one\nline "two"'),
        ('{"answer": "cut in half \\', "cut in half "),
        ('{"answer": "\\u63a5\\u53', "接"),
        ('{"answer": "done", "not_found": false}', "done"),
    ],
)
def test_the_growing_value_of_a_field_in_unfinished_json(text: str, expected: str | None) -> None:
    assert partial_string_field(text, "answer") == expected


def test_the_words_arrive_in_pieces_and_the_reply_is_still_typed() -> None:
    model = ScriptedChatModel().enqueue({"answer": "ERP 数据迁移由吴静负责[1]。", "not_found": False})
    pieces: list[str] = []
    reply = stream_structured(model, ModelAnswer, [HumanMessage("q")], field="answer", on_text=pieces.append)
    assert reply == ModelAnswer(answer="ERP 数据迁移由吴静负责[1]。", not_found=False)
    assert len(pieces) > 1 and "".join(pieces) == reply.answer
    assert model.history[0]["kwargs"]["response_format"]["type"] == "json_object"


def test_a_stream_that_does_not_parse_is_asked_for_again_without_streaming() -> None:
    good = {"answer": "第二次", "not_found": False}
    model = ScriptedChatModel().enqueue('{"answer": "半截', json.dumps(good, ensure_ascii=False))
    pieces: list[str] = []
    reply = stream_structured(model, ModelAnswer, [HumanMessage("q")], field="answer", on_text=pieces.append)
    assert reply.answer == "第二次" and "".join(pieces) == "半截" and len(model.history) == 2


def test_a_model_that_goes_away_mid_stream_is_unavailable_not_nonsense() -> None:
    model = ScriptedChatModel().enqueue(ConnectionError("connection reset"))
    with pytest.raises(ProviderUnavailableError, match="unavailable"):
        stream_structured(model, ModelAnswer, [HumanMessage("q")], field="answer", on_text=lambda t: None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ('{"whys": [{"question": "为什么', {"whys": [{"question": "为什么"}]}),
        (
            '{"whys": [{"question": "a", "answer": "b"}, {"quest',
            {"whys": [{"question": "a", "answer": "b"}, {}]},
        ),
        ('{"a": 1, "b"', {"a": 1}),
        ('{"a": 1, "b": ', {"a": 1}),
        ('{"a": "x\\', {"a": "x"}),
        ('{"a": [1, 2', {"a": [1, 2]}),
        ('{"a": "}]{"', {"a": "}]{"}),
    ],
)
def test_what_unfinished_json_says_so_far(text: str, expected: object) -> None:
    from assistant.providers.streaming import partial_json

    assert partial_json(text) == expected
