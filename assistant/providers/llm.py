"""Chat models: one factory, and one helper that asks any of them for pydantic-typed output."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage
from pydantic import BaseModel, SecretStr, ValidationError

from assistant.errors import ModelOutputError, ProviderUnavailableError
from assistant.providers.settings import LLMProvider, StructuredMethod
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.providers.llama_server import LlamaServer

T = TypeVar("T", bound=BaseModel)

LOCAL_API_KEY = "local-no-key"


def make_chat_model(settings: Settings, *, llama_server: LlamaServer | None = None) -> BaseChatModel:
    match settings.llm.provider:
        case LLMProvider.local:
            if llama_server is None:
                from assistant.providers.llama_server import LlamaServer

                llama_server = LlamaServer(settings)
            return _llama_chat_model_class()(
                base_url=llama_server.base_url(),
                api_key=SecretStr(LOCAL_API_KEY),
                model=settings.llm.model,
                temperature=settings.llm.temperature,
                timeout=settings.llm.timeout_s,
                max_retries=0,
            )
        case LLMProvider.openai:
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                base_url=settings.llm.base_url,
                api_key=SecretStr(settings.llm.api_key or "not-needed"),
                model=settings.llm.model,
                temperature=settings.llm.temperature,
                timeout=settings.llm.timeout_s,
                max_retries=0,
            )
        case LLMProvider.fake:
            from assistant.providers.fakes import ScriptedChatModel

            return ScriptedChatModel()


@lru_cache(maxsize=1)
def _llama_chat_model_class() -> type[BaseChatModel]:
    from langchain_openai import ChatOpenAI

    class LlamaCppChatOpenAI(ChatOpenAI):
        """ChatOpenAI for llama-cpp-python's server, which reads ``max_tokens`` and ignores the
        ``max_completion_tokens`` ChatOpenAI sends: without this, an output cap never reached the local model
        and a capped call wrote until the context was full."""

        def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
            payload = super()._get_request_payload(input_, stop=stop, **kwargs)
            if "max_completion_tokens" in payload:
                payload["max_tokens"] = payload.pop("max_completion_tokens")
            return payload

    return LlamaCppChatOpenAI


def with_output_cap(llm: BaseChatModel, max_tokens: int) -> BaseChatModel:
    """A copy of the model that writes at most ``max_tokens`` (the local model writes ~10 tokens/s, so a
    rambling answer costs minutes); a model without a cap setting (the tests' scripted one) is returned as is."""
    if "max_tokens" in type(llm).model_fields:
        return llm.model_copy(update={"max_tokens": max_tokens})
    return llm


def structured_method(settings: Settings) -> StructuredMethod:
    if settings.llm.structured_method is not StructuredMethod.auto:
        return settings.llm.structured_method
    # llama.cpp's server answers json_schema mode with HTTP 500 but honours a schema inside json_object.
    if settings.llm.provider in (LLMProvider.local, LLMProvider.fake):
        return StructuredMethod.json_object
    return StructuredMethod.json_schema


_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$", re.IGNORECASE)


def parse_json_object(text: str) -> Any:
    """Tolerates the code fences and chatter small models put around JSON."""
    cleaned = _FENCE.sub("", text.strip())
    try:
        return json.loads(cleaned)
    except json.JSONDecodeError:
        start, end = cleaned.find("{"), cleaned.rfind("}")
        if start != -1 and end > start:
            return json.loads(cleaned[start : end + 1])
        raise


def ask_structured(
    llm: BaseChatModel,
    schema: type[T],
    messages: list[BaseMessage],
    *,
    method: StructuredMethod = StructuredMethod.json_object,
    retries: int = 1,
) -> T:
    """Ask for ``schema``; retry on a malformed answer; raise a clear error instead of returning junk."""
    last_error: Exception | None = None
    for _attempt in range(retries + 1):
        try:
            if method is StructuredMethod.json_object:
                bound = llm.bind(
                    response_format={"type": "json_object", "schema": schema.model_json_schema()}
                )
                reply = bound.invoke(messages)
                return schema.model_validate(parse_json_object(str(reply.content)))
            runnable = llm.with_structured_output(schema, method=method.value)
            result = runnable.invoke(messages)
            return result if isinstance(result, schema) else schema.model_validate(result)
        except ProviderUnavailableError:  # the gate refused (the model is busy): asking again will not help
            raise
        except (ValidationError, json.JSONDecodeError, ValueError) as exc:
            last_error = exc
        except Exception as exc:
            if (away := unavailable(exc)) is not None:
                raise away from exc
            last_error = exc
    raise ModelOutputError(
        f"the language model did not return a valid {schema.__name__} after {retries + 1} tries: {last_error}"
    )


def unavailable(exc: BaseException) -> ProviderUnavailableError | None:
    """The error to raise when ``exc`` means the model is away (a connection or timeout failure), not
    confused; None otherwise."""
    return ProviderUnavailableError(f"the language model is unavailable: {exc}") if _is_away(exc) else None


_AWAY = {"APIConnectionError", "APITimeoutError", "ConnectError", "ReadTimeout", "TimeoutException"}


def _is_away(exc: BaseException) -> bool:
    # By every class in its ancestry: langchain-openai raises its own subclass of openai's timeout
    # (OpenAITimeoutError), which a check of the class's own name took for a confused model.
    return any(c.__name__ in _AWAY for c in type(exc).__mro__) or isinstance(
        exc, TimeoutError | ConnectionError
    )
