"""What a question says by itself, before inheritance and the decision: its language, cue
lists, documents, agencies, clause and part references, year, the details it asks that plans
never give, whether it is declined, and its topic. Read on tokens after normalising and
mending typos; the cue words are data (assistant/lexicon/*.toml)."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass

from assistant.clause_names import ClauseNames
from assistant.guard import Guard
from assistant.lexicon import Tokens, load
from assistant.names import AgencyMatcher
from assistant.normalise import normalise
from assistant.query import ClauseRef
from assistant.references import POINTING, clause_refs, document_keys, documents_named, number_of
from assistant.spelling import Speller
from assistant.titles import Titles
from indexing.corpus import Corpus
from indexing.lexical import Tokenizer

# a name a text puts in quotation marks: digits, or three to twelve characters
_COINED = re.compile(r"“(\d{2,6}|[\u4e00-\u9fff]{3,12})”")
_LATIN = re.compile(r"[A-Za-z]")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PART = re.compile(r"第\s*([一二三四五六七八九十0-9]{1,3})\s*(?:个|大)?部分"
                   r"|part\s+([0-9]{1,2}|[a-z]+)\b|([一二三四五六七八九十]{1,3})、部分",
                   re.IGNORECASE)
_EN_CLAUSES = re.compile(r"clauses\s+([0-9]{1,2})((?:\s*(?:,|and|&)\s*[0-9]{1,2})+)", re.IGNORECASE)
_EN_NUMBERS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve", "thirteen")
# a year, not an amount, and not the year of a document number (国发〔2021〕4号)
YEAR = re.compile(r"(?<![\d.〔［\[])((?:19|20)\d{2})(?![\d.〕］\]])"
                  r"(?!\s*[元万亿千百块多个家台辆吨户%])")
_EN_YES_NO = re.compile(r"(?:^|[.?!;,\-–—]\s+)(?:(?:and|but|so|also|then|ok|okay|well|hi|hello)"
                        r",?\s+)?(am|is|are|was|were|does|do|did|can|could|will|would|"
                        r"should|shall|has|have|must|may)\b", re.IGNORECASE)
# a yes/no question closed by a negation: 提到小站稻没？ 能申请不？; or by 吗 inside a token
# (建好了吗: jieba reads 好了吗 as one word, which the cue 吗 does not match)
_ZH_TAIL_YES_NO = re.compile(r"[\u4e00-\u9fff](?:没|没有|不|否|吗)\s*(?:[?？]|$)")
# a question word: 有啥说法没 asks what, not whether (its closing 没 is a habit of speech)
_ZH_WH = re.compile(r"啥|什么|哪|谁|怎么|怎样|如何|多少|几")
_SENTENCES = re.compile(r"[?？!！。;；]")
# the A-not-A question form: 支不支持, 提没提, 管不管, 给不给
_ZH_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1")
# a statement asked back with 也 (卫健委也有活儿？ 油气码头也算？): a yes/no question
_ZH_ALSO = re.compile(r"也(?:有|要|得|算|能|是|在|会|被|管|参与|写|提|列|包括|纳入|涉及|规定)")
_ASKED = re.compile(r"[^?？!！。;；]+[?？]")
# a business saying what it does before it asks: 开饭馆的, 我们是搞物流的, 俺是做塑料制品的
# 是啥原则 / 是什么要求: "what" before a noun asks which one, not what a word means
_WHICH_NOUN = re.compile(r"(?:是啥|是什么|指啥|指什么)(?!意思|东西|呢|啊|呀)[\u4e00-\u9fff]{2}")
_MEANING = re.compile(r"意思|含义|定义|何谓|何为|什么叫|啥叫|指的是|是指")
_TRADE = re.compile(r"^(?:我|俺|咱)?(?:们|家)?(?:是)?(?:开|做|搞|干|经营)[\u4e00-\u9fff]{1,8}?的")
_ONE_TERM = re.compile(r"[\u4e00-\u9fff]{2,8}")
_IN_WORD_HYPHEN = re.compile(r"(?<=[a-z])-(?=[a-z])")
_UNQUOTED = re.compile(r"[\s“”\"「」『』]")


def detect_language(text: str) -> str:
    latin = len(_LATIN.findall(text))
    return "en" if latin > 2 * len(_CJK.findall(text)) and latin >= 3 else "zh"


@dataclass(frozen=True, slots=True)
class Slots:
    """What the question itself says, before inheritance and the decision."""

    text: str
    lang: str
    tokens: Tokens
    cues: frozenset[str]  # names of the cue lists that fired
    docs: tuple[str, ...]
    agencies: tuple[str, ...]
    clauses: tuple[ClauseRef, ...]
    part: int | None
    year: int | None
    unstated: tuple[str, ...]
    decline: str
    topic: str
    subject: bool  # the topic has words the documents use sparingly: it stands on its own


class SlotReader:
    def __init__(self, corpus: Corpus, tokenizer: Tokenizer, guard: Guard,
                 agencies: AgencyMatcher, is_subject: Callable[[str], bool],
                 treats: Callable[[str], bool] | None = None) -> None:
        self.corpus = corpus
        self.tokenizer = tokenizer
        self.guard = guard
        self.is_subject = is_subject
        self.treats = treats or is_subject
        self.agencies = agencies
        self.asks = load("asks")
        self.facts = load("documents")
        self.refs = load("references")
        self.claims = load("claims")
        self._doc_keys = document_keys(corpus)
        plans = sorted(corpus.places.plan_keys(bare=False), key=len, reverse=True)
        self._plans_named = re.compile("|".join(map(re.escape, plans)) or "(?!)",
                                       re.IGNORECASE)
        self.home = next((d.doc_id for d in corpus.documents if d.meta.home), None)
        self.titles = Titles(corpus, self.facts["title_suffixes"].zh,
                             self.facts["title_breaks"].zh)
        self.clause_names = ClauseNames(corpus, tokenizer)
        self._speller: Speller | None = None
        self._speller_lock = threading.Lock()
        self._english_phrases: re.Pattern[str] | None = None
        self._texts = "\n".join(_UNQUOTED.sub("", p.text).lower()
                                for d in corpus.documents for p in d.provisions)
        # the names the texts coin and quote (“871”, “双超双有高能耗”, “三区两带中屏障”)
        self._coined = frozenset(m.group(1) for d in corpus.documents for p in d.provisions
                                 for m in _COINED.finditer(p.text))

    @property
    def speller(self) -> Speller:
        """Built at the first question (the pinyin dictionary and the word lists take a
        second), once per process."""
        with self._speller_lock:
            if self._speller is None:
                corpus = self.corpus
                self._speller = Speller.of(
                    self.tokenizer, (p.text for d in corpus.documents for p in d.provisions),
                    [corpus.places.english or "", *(d.meta.english_title
                                                    for d in corpus.documents),
                     *(a.english for a in corpus.registry if a.english),
                     *(w for lex in (self.asks, self.facts, self.refs, self.claims)
                       for cues in lex.values() for w in cues.english_words)])
            return self._speller

    def warm(self) -> None:
        """Build now what the first question would (the speller, the phrases' pattern)."""
        _ = self.speller
        self._phrases("")

    def read(self, question: str) -> Slots:
        text = self.speller.correct(normalise(question))
        t = Tokens.of(text, self.tokenizer.segments(text), self.tokenizer.subwords(text))
        cues = {name for lex in (self.asks, self.facts, self.refs)
                for name, c in lex.items() if c(t) and name != "follow_up_opening"}
        opening = self.refs["follow_up_opening"]
        start = text.lstrip().lower()
        if start.startswith(opening.zh) or start.startswith(
                tuple(f"{w} " for w in opening.english_words)):
            cues.add("follow_up")
        if _EN_YES_NO.search(text):
            cues.add("yes_no")
        if any(_ZH_TAIL_YES_NO.search(f"{part}？") and not _ZH_WH.search(part)
               for part in _SENTENCES.split(text)) or _ZH_A_NOT_A.search(text):
            cues.add("yes_no")  # 提到小站稻没？ 有补贴没有？ 支不支持？
        if any(_ZH_ALSO.search(m.group(0)) and not _ZH_WH.search(m.group(0))
               for m in _ASKED.finditer(text)):
            cues.add("yes_no")
        if "define" in cues and _WHICH_NOUN.search(text) and not _MEANING.search(text):
            cues.discard("define")  # 定的是啥原则: which principle, not what a term means
        if _TRADE.match(text):  # 开饭馆的 / 俺们是搞物流的: a business saying what it does
            cues.update(("enterprise", "speaks_for_business"))
        docs = documents_named(t.text, self.corpus)
        # XX区的方案 names the district's plan, not an agency XX区 is short for
        agencies = self.agencies.find(self._plans_named.sub(" ", text))
        clauses = tuple(ClauseRef(r.doc_id, r.clause_no, r.provision)
                        for r in clause_refs(text, self.corpus))
        more = _EN_CLAUSES.search(text)
        if more:  # clauses 25 and 26
            doc = clauses[0].doc_id if clauses else None
            numbers = [int(more.group(1)), *map(int, re.findall(r"[0-9]{1,2}", more.group(2)))]
            clauses = tuple(ClauseRef(doc, n) for n in dict.fromkeys(numbers))
        if not clauses and "clause_by_name" in cues:  # 农业那条: the clause whose title says it
            named = self.clause_names.find(
                t.text, sorted(a for a, _ in self.refs["clause_by_name"].spans(t)),
                docs or ((self.home,) if self.home else ()))
            clauses = (named,) if named else ()
            if named is None:
                cues.discard("clause_by_name")
        part = self._part(text, t)
        if part is None and self.refs["this_part"](t):
            part = 0  # the part of the clause cited before: resolved against that answer
        if self.refs["last"](t) and part is None:
            clauses = (ClauseRef(None, -1),)  # 最后一条 is no clause 一
        unstated = self.guard.unstated(text)
        year_match = YEAR.search(text)
        # 哪天发布: the document's date; is the deadline 2050: the year is given, and whether it
        # is the one is asked
        if "schedule" in unstated and ((year_match and "yes_no" in cues) or (
                "date" in cues and (documents_named(t.text, self.corpus)
                                    or "document_words" in cues))):
            unstated = tuple(u for u in unstated if u != "schedule")
        return Slots(
            text=text, lang=detect_language(text), tokens=t, cues=frozenset(cues), docs=docs,
            agencies=agencies, clauses=clauses, part=part,
            year=int(year_match.group(1)) if year_match else None,
            unstated=unstated,
            decline=self._decline(text, cues),
            topic=(topic := self._topic(text, t, agencies)),
            subject=self.is_subject(topic))

    def _decline(self, text: str, cues: set[str]) -> str:
        decline = self.guard.check(text) or (
            "other_document" if self.titles.unknown(text) else "")
        if decline and self.guard.in_passing(decline, text) and "document_words" in cues \
                and self.is_subject(self.guard.without(text, decline)):
            return ""  # 退休了想搞乡村旅游，文件里怎么说: asked of the documents, on their subject
        if decline == "other_places" and self._home_names_places(text):
            return ""  # 方案有没有提和XX、YY一起编标准: the home plan's own words
        if decline == "unknown_year" and "yes_no" in cues \
                and self.treats(YEAR.sub(" ", text)):
            return ""  # 碳中和是2050年吗: no, and the year the texts set for it
        return decline

    def _home_names_places(self, text: str) -> bool:
        """The question works with the places it names (和XX一起), and they stand in a task of
        the home plan that shares three more of its words: a question about that task,
        not about another place's own policy."""
        lowered = text.lower()
        places = [p for p in self.corpus.places.not_held if p.lower() in lowered]
        home = self.corpus.document(self.home) if self.home else None
        joined = self.refs["with_place"]
        together = "|".join(re.escape(w) for w in (*joined.zh, *joined.english_words))
        if not places or home is None or not together or not re.search(
                rf"(?:{together})\s*(?:{'|'.join(re.escape(p.lower()) for p in places)})",
                lowered):
            return False
        words = {w for w in self.tokenizer.tokens(text) if len(w) > 1
                 and not any(w in p or p in w for p in places)}
        return any(all(p in t.text for p in places)
                   and len(words & set(self.tokenizer.tokens(t.text))) >= 3
                   for t in home.provisions)

    def _part(self, text: str, t: Tokens) -> int | None:
        if self.refs["last_part"](t):
            return -1
        m = _PART.search(text)
        if m:
            word = next(g for g in m.groups() if g).lower()
            if word in _EN_NUMBERS:
                return _EN_NUMBERS.index(word) + 1
            return number_of(word)
        return None

    def _topic(self, text: str, t: Tokens, agencies: tuple[str, ...]) -> str:
        """The question with cue words, document names and agency names taken out."""
        spans: list[tuple[int, int]] = []
        for lex in (self.asks, self.facts, self.refs):
            for c in lex.values():
                spans += c.spans(t)
        # a name read with the words that point inside it taken out (碳达峰碳中和的意见): each
        # kept character's place in the question, so the whole stretch leaves the topic
        pointing = {i for m in POINTING.finditer(t.text) for i in range(*m.span())}
        bare_at = [i for i in range(len(t.text)) if i not in pointing]
        bare = "".join(t.text[i] for i in bare_at)
        for key, _ in (k for k in self._doc_keys if k[1]):  # a designation stays a subject
            for text, at in ((t.text, None), (bare, bare_at)):
                start = text.find(key)
                while start >= 0:
                    a, b = start, start + len(key)
                    spans.append((a, b) if at is None else (at[a], at[b - 1] + 1))
                    start = text.find(key, start + 1)
        for name in agencies:
            for key in self.corpus.agency_words(name):
                k = key.lower()
                start = t.text.find(k) if k else -1
                while start >= 0:
                    spans.append((start, start + len(k)))
                    start = t.text.find(k, start + 1)
                if k.isascii():
                    # the finance bureau, as people shorten the English name: its words
                    words = "|".join(map(re.escape, k.split()))
                    spans += [m.span() for m in re.finditer(rf"\b(?:{words})\b", t.text)]
        keep = [True] * len(t.text)
        for a, b in spans:
            for i in range(a, b):
                keep[i] = False
        for a, b in self._phrases(t.text):
            # a domain phrase the search translates keeps its cue-like words (green loan,
            # interest rate): half of it is no subject
            for i in range(a, b):
                keep[i] = True
        out = "".join(ch if k else " " for ch, k in zip(t.text, keep, strict=True))
        # a hyphen inside an English word stays (high-tech: the phrase the search knows)
        out = _IN_WORD_HYPHEN.sub("\x00", out)
        return re.sub(r"[^\w\x00]+|_+", " ", out).replace("\x00", "-").strip()

    def _phrases(self, text: str) -> list[tuple[int, int]]:
        """Where the English phrases of several words that the search translates stand."""
        if self._english_phrases is None:
            self._english_phrases = re.compile(
                "|".join(rf"\b{re.escape(p)}\b" for p in sorted(
                    (p for p in self.tokenizer.english_phrases() if " " in p),
                    key=len, reverse=True)) or r"(?!)")
        return [m.span() for m in self._english_phrases.finditer(text)]

    def used(self, topic: str) -> bool:
        """The topic's first phrase stands verbatim in a text (碳中和 is in too many tasks to
        be a subject for search, but a question about what it means is answerable)."""
        term = _UNQUOTED.sub("", topic.split(" ")[0]) if topic else ""
        return len(term) >= 3 and term in self._texts  # 绿色 alone is in every clause

    def names_coined(self, text: str) -> bool:
        """The question names something the texts coin in quotation marks (“871”工程)."""
        bare = _UNQUOTED.sub("", text)
        return any(term in bare for term in self._coined)

    def unused(self, topic: str) -> bool:
        """The topic is one term that no text uses (碳普惠): what a definition of it would
        have to decline, by its name."""
        term = _UNQUOTED.sub("", topic)
        return _ONE_TERM.fullmatch(term) is not None and term.lower() not in self._texts
