"""Ranking approved wordings against what an agent types.

Each incident with an approved sheet is a document of weighted fields: its
public title, its title, the sheet, its signals' sample complaints (what
customers actually said), the keywords of its topics and its kind. Text is
cut into CJK character bigrams and Latin words (no segmenter needed: 「登录
不了」 still meets 「无法登录」 on 登录) plus concept tokens (``~login``) from
the colloquial-variant table, so 「登不上」, 「上不去」 and "can't log in" all
meet a sheet that says 「APP 登录失败」. Documents are ranked with BM25 over
the weighted term counts; every hit says which fields matched and on what.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from incident.i18n import CATALOG, t
from incident.wording import search_texts as _texts  # noqa: F401
from incident.wording.search_synonyms import concept_labels, concepts, lexicon_words, normalise, pinyin

# the concepts' labels (why a reply matched) are data, with their variants
# (data/search_lexicon.toml)
CATALOG.update({f"wording.search.concept.{k}": v for k, v in concept_labels().items()})

_CJK_RUN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
# Characters that carry no topic in what customers say; bigrams made only
# of them ("我的", "一直") are dropped.
_FUNCTION = set("我你您他她它的了在是不没有就都也还很和与及或这那个吗呢啊吧嘛呀一直么怎什要能会")
# English words that say nothing about the problem.
_STOP = set(
    "the and my is it to of in on for a an me i was be at with from this that these those have has had "
    "get got getting can could will would should do does did not no never any some am are were been "
    "but or so if then than just still keep keeps kept when what why how there here they them their "
    "you your we our us he she his her its by as about up out over after before again very really".split()
)

# How much a match in each field counts: the words a customer used in a
# complaint count as much as the sheet; a title more; topic keywords (a
# long generic list) and the kind's name less.
FIELD_WEIGHTS = {
    "public_title": 3.0,
    "title": 2.0,
    "sheet": 1.5,
    "samples": 1.0,
    "sheet_extra": 0.5,
    "topics": 0.4,
    "kind": 0.5,
    # knowledge-base entries (incident/knowledge/search.py): the answer
    # weighs as a sheet, the product/category as a kind
    "kb_answer": 1.5,
    "kb_scope": 0.5,
}
CONCEPT_QUERY_WEIGHT = 2.0  # one concept in the query weighs as two words
K1, B = 1.2, 0.3
# An incident that more customers complain about is the likelier one for
# the next caller: its score grows by this much per e-fold of its sample
# complaints, enough to settle a near tie, never to beat a clearer match.
PRIOR = 0.15


@dataclass(frozen=True)
class Term:
    term: str
    start: int
    end: int
    weight: float


def _terms(text: str, with_concepts: bool = True) -> list[Term]:
    """The terms of a normalised text with their spans."""
    out: list[Term] = []
    for m in _CJK_RUN.finditer(text):
        run, base = m.group(), m.start()
        if len(run) == 1:
            if run not in _FUNCTION:
                out.append(Term(run, base, base + 1, 1.0))
            continue
        for i in range(len(run) - 1):
            b = run[i : i + 2]
            if not (b[0] in _FUNCTION and b[1] in _FUNCTION):
                out.append(Term(b, base + i, base + i + 2, 1.0))
    for m in _WORD.finditer(text):
        w = m.group()
        if (len(w) > 1 or w.isdigit()) and w not in _STOP:
            out.append(Term(_stem(w), m.start(), m.end(), 1.0))
    if with_concepts:
        for concept, start, end in concepts(text):
            out.append(Term("~" + concept, start, end, CONCEPT_QUERY_WEIGHT))
    return out


def tokens(text: str, with_concepts: bool = True) -> list[str]:
    """A document text's terms: bigrams, words and (unless asked not to)
    concept tokens."""
    return [x.term for x in _terms(normalise(text), with_concepts)]


@dataclass
class Doc:
    incident: Any
    sheet: Any
    fields: dict[str, Counter[str]]
    terms: dict[str, float] = field(default_factory=dict)  # weighted over the fields
    length: float = 0.0
    volume: int = 0  # how many customers' complaints it stands for (PRIOR)

    def __post_init__(self) -> None:
        weighted: dict[str, float] = {}
        for name, counts in self.fields.items():
            w = FIELD_WEIGHTS.get(name, 1.0)
            for term, n in counts.items():
                weighted[term] = weighted.get(term, 0.0) + w * n
        self.terms = weighted
        self.length = sum(weighted.values())


@dataclass
class Hit:
    score: float
    doc: Doc
    why: list[dict[str, Any]]


@dataclass
class Index:
    key: tuple[Any, ...]
    docs: list[Doc]
    df: Counter[str] = field(default_factory=Counter)
    generation: int = 0

    def __post_init__(self) -> None:
        for doc in self.docs:
            self.df.update(set(doc.terms))
        self._avg = (sum(d.length for d in self.docs) / len(self.docs)) if self.docs else 1.0
        self._postings: dict[str, list[Doc]] = {}
        for doc in self.docs:
            for term in doc.terms:
                self._postings.setdefault(term, []).append(doc)

    def idf(self, term: str) -> float:
        n, df = len(self.docs), self.df.get(term, 0)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def search(self, query: str) -> list[Hit]:
        """Documents that share a concept or a distinctive term (one found
        in at most half of them) with the query, best first."""
        text = correct(normalise(query))
        qterms = _terms(text)
        weights: dict[str, float] = {}
        for x in qterms:
            weights[x.term] = max(weights.get(x.term, 0.0), x.weight)
        limit = max(1, len(self.docs) // 2)
        scores: dict[int, float] = {}
        matched: dict[int, list[str]] = {}
        for term, qw in weights.items():
            docs = self._postings.get(term)
            if not docs:
                continue
            idf = self.idf(term)
            for doc in docs:
                tf = doc.terms[term]
                norm = K1 * (1 - B + B * doc.length / self._avg)
                key = id(doc)
                scores[key] = scores.get(key, 0.0) + qw * idf * tf * (K1 + 1) / (tf + norm)
                matched.setdefault(key, []).append(term)
        hits = []
        for doc in self.docs:
            terms = matched.get(id(doc))
            if not terms or not any(x.startswith("~") or (self.df[x] <= limit and not _weak(x)) for x in terms):
                continue
            hits.append(Hit(scores[id(doc)] * (1 + PRIOR * math.log1p(doc.volume)), doc, []))
        hits.sort(key=lambda h: (-h.score, -h.doc.incident.id))
        return hits

    def explain(self, query: str, hit: Hit) -> list[dict[str, Any]]:
        """Which fields of the hit matched, on which words of the query
        (adjacent bigrams merged back into what was typed) and concepts."""
        text = correct(normalise(query))
        terms = _terms(text)  # once: the concept scan is the costly part
        out = []
        for name, counts in sorted(hit.doc.fields.items(), key=lambda kv: -FIELD_WEIGHTS.get(kv[0], 1.0)):
            spans = [(x.start, x.end) for x in terms if not x.term.startswith("~") and counts.get(x.term)]
            found = [x.term[1:] for x in terms if x.term.startswith("~") and counts.get(x.term)]
            words = _merge(text, spans)
            if words or found:
                out.append({"field": name, "words": words, "concepts": sorted(set(found))})
        return out


def _stem(word: str) -> str:
    """English inflections folded ("flooded", "floods" → "flood";
    "crashes" → "crash"): a light suffix strip, enough for the short words
    agents type, not a full stemmer."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            return word[: -len(suffix)]
    return word


def correct(text: str) -> str:
    """``text`` (normalised) with a slip of a pinyin input method mended: a
    stretch that sounds like a word of the lexicon (the concepts' variants,
    the places) and differs from it in one character is read as that word
    (杭洲 → 杭州, 验证吗 → 验证码). The odd character must make no word of
    the lexicon with its neighbours (「一直登不上」 keeps its 登不上 and does
    not become 一直等), and words outside the lexicon are never bent."""
    words, by_sound, lengths = lexicon_words()
    chars = list(text)
    sounds = [pinyin(c) for c in chars]
    for i in range(len(chars)):
        for n in lengths:
            key = " ".join(sounds[i : i + n])
            meant = by_sound.get(key) if len(key.split(" ")) == n and "" not in sounds[i : i + n] else None
            if not meant:
                continue
            odd = [k for k in range(n) if chars[i + k] != meant[k]]
            if len(odd) != 1:
                continue
            at = i + odd[0]
            around = ("".join(chars[at - 1 : at + 1]) if at > 0 else "", "".join(chars[at : at + 2]))
            if not any(b in words for b in around if len(b) == 2):
                chars[at] = meant[odd[0]]
    return "".join(chars)


def _sound(term: str) -> str:
    """A Chinese bigram's pinyin ("hang zhou"), '' for anything else."""
    if len(term) != 2 or term.isascii() or term.startswith("~"):
        return ""
    a, b = pinyin(term[0]), pinyin(term[1])
    return f"{a} {b}" if a and b else ""


def _weak(term: str) -> bool:
    """A bigram with a function character (「不到」, 「收不」) says too little
    to find a document by itself."""
    return len(term) == 2 and not term.isascii() and (term[0] in _FUNCTION or term[1] in _FUNCTION)


def _merge(text: str, spans: list[tuple[int, int]]) -> list[str]:
    merged: list[list[int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], b)
        else:
            merged.append([a, b])
    return list(dict.fromkeys(text[a:b] for a, b in merged))


def describe(why: list[dict[str, Any]], lang: str) -> str:
    """``why`` in words: 「投诉样本：“登录不了”、登录（近义）；口径卡：…」."""
    parts = []
    for part in why:
        items = [t("wording.search.why.word", lang, word=w) for w in part["words"][:3]]
        items += [
            t("wording.search.why.concept", lang, label=t(f"wording.search.concept.{c}", lang))
            for c in part["concepts"][:3]
        ]
        name = t(f"wording.search.field.{part['field']}", lang)
        items_text = t("wording.search.why.sep_items", lang).join(items)
        parts.append(t("wording.search.why.part", lang, field=name, items=items_text))
    return t("wording.search.why.sep_parts", lang).join(parts)
