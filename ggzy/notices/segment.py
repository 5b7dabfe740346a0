"""分词 — cut a Chinese query into words with jieba-rs (`rjieba`) and the platform's own dictionary.

The dictionary is `dictionary.txt` beside this module (trade and works terms, one a line, optionally with a
frequency) plus every region name of `ggzy.rules.regions` with and without its 省/市/区/县 suffix. Words are
cut without the HMM guesser (it joins unrelated characters, 线辅 in 线辅道), and a single character left alone
is joined to its neighbour, so every piece is still a substring of what was typed.
"""

from __future__ import annotations

import threading
from functools import cache
from importlib import resources

import rjieba

from ggzy.rules.regions import NAMES

DICTIONARY = "dictionary.txt"
WORD_FREQ = 200_000  # above the general dictionary's common words, so a platform term is kept whole
_LOCK = threading.Lock()


def platform_words() -> list[tuple[str, int]]:
    out: dict[str, int] = {}
    for line in resources.files("ggzy.notices").joinpath(DICTIONARY).read_text("utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        word, *rest = line.split()
        out[word] = int(rest[0]) if rest else WORD_FREQ
    for name in NAMES.values():
        out.setdefault(name, WORD_FREQ)
        if len(name) > 2 and name[-1] in "省市区县":
            out.setdefault(name[:-1], WORD_FREQ)
    return sorted(out.items())


@cache
def _cutter() -> rjieba.Jieba:
    j = rjieba.Jieba()
    for word, freq in platform_words():
        j.add_word(word, freq, "n")
    return j


def learn(words: list[str]) -> None:
    """Keep these words whole from now on (the synonym table's words)."""
    j = _cutter()
    with _LOCK:
        for w in words:
            if len(w) > 1 and not j.has_word(w):
                j.add_word(w, WORD_FREQ, "n")


def words(run: str) -> list[str]:
    """The words of a run of Chinese characters; single characters are joined to a neighbour."""
    if len(run) <= 2:
        return [run]
    with _LOCK:
        pieces = [p for p in _cutter().cut(run, False) if p.strip()]
    out: list[str] = []
    pending = ""
    for p in pieces:
        if len(p) == 1:
            if out:
                out[-1] += p
            else:
                pending += p
        else:
            out.append(pending + p)
            pending = ""
    if pending:
        out.append(pending)
    return out
