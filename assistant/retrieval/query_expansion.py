"""Cross-lingual query expansion: translate a short query into the project's other language with the LLM.

The multilingual embedder already matches a Chinese question with English passages, but only loosely; the
keyword index cannot match across languages at all. One translated copy of the query lets both indexes search
the other language as if the question had been asked in it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from langchain_core.messages import HumanMessage
from pydantic import BaseModel, Field

from assistant.language import QUESTION_ZH_MIN_SHARE, cjk_ratio, question_language
from assistant.prompts import render_prompt
from assistant.providers.llm import ask_structured
from assistant.providers.settings import StructuredMethod

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English"}


class Translator(Protocol):
    def translate(self, query: str, target: str | None = None) -> str | None: ...


class QueryTranslation(BaseModel):
    translation: str = Field(description="The query in the target language, nothing else.")


def other_language(language: str) -> str:
    return "en" if language == "zh" else "zh"


def plausible_translation(source: str, translation: str, target: str) -> bool:
    """Reject what a small model sometimes returns instead of a translation: the query itself, an answer or
    an essay, or text in the wrong language."""
    text = translation.strip()
    if not text or text.casefold() == source.strip().casefold():
        return False
    # A translation is about as long as its source: ~1 hanzi per 3-4 English letters, so allow a wide band.
    if len(text) > 4 * len(source) + 40:
        return False
    ratio = cjk_ratio(text)
    # English output may keep names and terms in hanzi, so it is only refused when it is mostly Chinese.
    return ratio >= QUESTION_ZH_MIN_SHARE if target == "zh" else ratio <= 0.5


class QueryTranslator:
    """Translates queries with a chat model, remembering recent ones (the answer pipeline and a person often
    search the same question more than once). ``llm`` may be a callable so the model is only started when a
    query actually needs translating."""

    def __init__(
        self,
        llm: BaseChatModel | Callable[[], BaseChatModel],
        *,
        method: StructuredMethod = StructuredMethod.json_object,
        cache_size: int = 512,
    ) -> None:
        self._llm = llm
        self._method = method
        self._cache: OrderedDict[tuple[str, str], str | None] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.last_seconds: float | None = None

    def _model(self) -> BaseChatModel:
        from langchain_core.language_models import BaseChatModel

        return self._llm if isinstance(self._llm, BaseChatModel) else self._llm()

    def translate(self, query: str, target: str | None = None) -> str | None:
        """The query in ``target`` ('zh' or 'en'; default: the other language of the query), or None when the
        model failed or returned something that is not a translation. Never raises: search goes on without."""
        query = query.strip()
        target = target or other_language(question_language(query))
        key = (query, target)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        started = time.perf_counter()
        result: str | None = None
        try:
            prompt = render_prompt(
                "query_translate", None, target_language=LANGUAGE_NAMES[target], query=query
            )
            reply = ask_structured(
                self._model(), QueryTranslation, [HumanMessage(prompt)], method=self._method
            )
            candidate = " ".join(reply.translation.split())
            if plausible_translation(query, candidate, target):
                result = candidate
            else:
                log.info("discarded an implausible translation of %r: %r", query, candidate)
        except Exception as exc:  # a missing or failing model must not break search; it only loses recall
            log.warning("query translation failed, searching without it: %s", exc)
            return None  # not cached: the model may be back next time
        finally:
            self.last_seconds = time.perf_counter() - started
        with self._lock:
            self._cache[key] = result
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return result
