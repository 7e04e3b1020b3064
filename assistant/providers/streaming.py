"""Typed output that is also shown while it is written: the model streams its JSON, and the growing value of
one text field (an answer) is passed on as it arrives, so a person reads the first words within seconds
instead of waiting for the whole reply."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, ValidationError

from assistant.errors import ProviderUnavailableError
from assistant.providers.llm import ask_structured, parse_json_object, unavailable
from assistant.providers.settings import StructuredMethod

T = TypeVar("T", bound=BaseModel)

_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}


def partial_string_field(text: str, field: str) -> str | None:
    """The value of ``"field": "..."`` in JSON that may still be incomplete, decoded as far as it goes (an
    escape cut in half is left for the next chunk); None while the field has not begun."""
    start = re.search(rf'"{re.escape(field)}"\s*:\s*"', text)
    if start is None:
        return None
    out: list[str] = []
    i = start.end()
    while i < len(text):
        c = text[i]
        if c == '"':
            break
        if c != "\\":
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(text):
            break
        code = text[i + 1]
        if code == "u":
            digits = text[i + 2 : i + 6]
            if len(digits) < 4:
                break
            out.append(chr(int(digits, 16)))
            i += 6
            continue
        out.append(_ESCAPES.get(code, code))
        i += 2
    return "".join(out)


def _open_brackets(text: str) -> tuple[list[str], bool] | None:
    """The closers JSON text still owes (innermost last) and whether it stops inside a string; None when a
    bracket closes that never opened."""
    stack: list[str] = []
    in_string = escaped = False
    for c in text:
        if in_string:
            if escaped:
                escaped = False
            elif c == "\\":
                escaped = True
            elif c == '"':
                in_string = False
        elif c == '"':
            in_string = True
        elif c in "{[":
            stack.append("}" if c == "{" else "]")
        elif c in "}]":
            if not stack:
                return None
            stack.pop()
    return stack, in_string


def partial_json(text: str) -> Any:
    """What JSON that is still being written says so far: open strings, arrays and objects are closed where
    the text stops (a key without its value yet is dropped). None when nothing parses yet."""
    body = text.rstrip()
    state = _open_brackets(body)
    if state is not None and state[1]:  # cut inside a string: close it (an escape cut in half is dropped)
        body = (body[:-1] if body.endswith("\\") else body) + '"'
    for end in range(len(body), 0, -1):  # drop a dangling key, colon or comma until it parses
        candidate = body[:end].rstrip().rstrip(",:")
        state = _open_brackets(candidate)
        if state is None or state[1]:
            continue
        try:
            return json.loads(candidate + "".join(reversed(state[0])))
        except json.JSONDecodeError:
            continue
    return None


def stream_structured(
    llm: BaseChatModel,
    schema: type[T],
    messages: list[BaseMessage],
    *,
    field: str | None = None,
    on_text: Callable[[str], None] | None = None,
    on_partial: Callable[[Any], None] | None = None,
    method: StructuredMethod = StructuredMethod.json_object,
) -> T:
    """Like ask_structured, and while the reply is written ``on_text(delta)`` hears ``field``'s text and
    ``on_partial(value)`` what the JSON says so far. A reply that does not parse is asked for again without
    streaming (ask_structured's retry); the caller shows the final, checked result anyway."""
    if method is not StructuredMethod.json_object:  # only the JSON-object mode streams plain JSON text
        result = ask_structured(llm, schema, messages, method=method)
        value = getattr(result, field, "") if field else ""
        if on_text is not None and isinstance(value, str) and value:
            on_text(value)
        if on_partial is not None:
            on_partial(result.model_dump())
        return result
    bound = llm.bind(response_format={"type": "json_object", "schema": schema.model_json_schema()})
    text, shown = "", 0
    try:
        for chunk in bound.stream(messages):
            text += str(chunk.content)
            if field and on_text is not None:
                value = partial_string_field(text, field) or ""
                if len(value) > shown:
                    on_text(value[shown:])
                    shown = len(value)
            if on_partial is not None:
                so_far = partial_json(text)
                if so_far is not None:
                    on_partial(so_far)
    except ProviderUnavailableError:
        raise
    except Exception as exc:
        if (away := unavailable(exc)) is not None:
            raise away from exc
        raise
    try:
        return schema.model_validate(parse_json_object(text))
    except (ValidationError, json.JSONDecodeError, ValueError):
        return ask_structured(llm, schema, messages, method=method, retries=0)
