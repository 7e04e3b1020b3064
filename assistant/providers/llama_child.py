"""The local model's server process: llama-cpp-python's OpenAI-compatible server, with a prompt cache that
counts what it holds.

llama-cpp-python's RAM cache counts only the model state against its capacity, but every entry also keeps a
copy of the logits buffer (n_batch x vocabulary floats: 311 MB for Qwen2.5's 151,936-token vocabulary). With a
512 MB capacity the server grew past 14 GB during the latency benchmark. That buffer is only read for logprobs
with ``logits_all``, which the server here never enables (sampling reads the context's own logits), so entries
keep just its last row and the capacity counts every byte an entry holds.

Run as ``python -m assistant.providers.llama_child <llama_cpp.server arguments>``.
"""

from __future__ import annotations

from collections.abc import Sequence

import llama_cpp
from llama_cpp.llama import LlamaState
from llama_cpp.llama_cache import LlamaRAMCache


def entry_bytes(state: LlamaState) -> int:
    return int(state.llama_state_size + state.scores.nbytes + state.input_ids.nbytes)


class CountedRAMCache(LlamaRAMCache):
    @property
    def cache_size(self) -> int:
        return sum(entry_bytes(s) for s in self.cache_state.values())

    def __setitem__(self, key: Sequence[int], value: LlamaState) -> None:
        value.scores = value.scores[-1:].copy()
        super().__setitem__(key, value)


def main() -> None:
    # server/model.py looks the class up on the package when it builds the model.
    llama_cpp.LlamaRAMCache = CountedRAMCache  # type: ignore[misc]
    from llama_cpp.server.__main__ import main as serve

    serve()


if __name__ == "__main__":
    main()
