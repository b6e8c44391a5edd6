"""The one entry point: ``Assistant.answer(question, history) -> Answer``.

normalise → understand (``understand.py``: what is asked, of which documents, agencies and
clauses) → execute (one composer per kind of answer, in ``answers/``) → frame (the "not
stated" sentence, the yes/no opening) → optionally polish (a checked language model).

Execution (``dispatch.py``) picks the composer for what the question asks.
Declined questions get a short polite answer with ``refused=True``. Follow-ups are resolved
against the previous turn, answered again from the history (the server keeps no state).
Nothing in an answer's facts (clause numbers, agencies, numbers) comes from anywhere but the
parsed structure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from assistant.answer_cache import AnswerCache
from assistant.answers import years
from assistant.answers.framing import frame
from assistant.answers.kit import Context, Kit, Routing
from assistant.compose import Templates
from assistant.dispatch import Executor
from assistant.evidence import Evidence
from assistant.guard import Guard
from assistant.llm import Polisher
from assistant.matcher import Matcher
from assistant.normalise import normalise
from assistant.query import Query
from assistant.scopes import Scopes, SideCache
from assistant.search import Searcher
from assistant.understand import Understander
from core.errors import BadInput
from core.model import Answer, Turn
from core.settings import AssistantSettings, Settings
from indexing.corpus import Corpus
from indexing.index import Progress, ensure_index
from indexing.measures.table import Catalogue
from indexing.sides import Side, side_corpus, side_for


class Assistant:
    def __init__(self, corpus: Corpus, searcher: Searcher, settings: AssistantSettings,
                 guard: Guard | None = None, templates: Templates | None = None,
                 routing: Routing | None = None, polisher: Polisher | None = None,
                 split: bool = True) -> None:
        self.corpus = corpus
        self.searcher = searcher
        self.settings = settings
        self.guard = guard or Guard.load(corpus)
        self.kit = Kit(corpus, templates or Templates.load(), routing or Routing.load())
        self.polisher = polisher  # an optional language model that rewords, checked
        words = self.kit.routing
        self.evidence = Evidence(corpus, searcher, settings, (
            *words.duties, *words.responsibility, *words.meta, *corpus.places.home),
            names=[a for d in corpus.documents for a in d.meta.aliases])
        self.understander = Understander(corpus, searcher.index.lexical.tokenizer, self.guard,
                                         searcher.agencies,
                                         lambda text: bool(self.evidence.topic(text)),
                                         lambda text: bool(self.evidence.used_words(text)))
        self.executor = Executor(corpus, searcher, self.kit, self.evidence, self.guard,
                                 self.understander, lambda: self.matcher)
        self.links = self.executor.links  # the CLI's links command reads its pairs
        self._matcher: Matcher | None = None
        # per Assistant, i.e. per index generation; a side's answers are kept by its parent
        self.answers = AnswerCache(settings.answer_cache if split else 0, (
            settings.model_dump_json(), searcher.settings.model_dump_json()))
        self._matcher_lock = threading.Lock()
        # with other places' plans loaded, each side answers the questions about its places
        # (scopes.py); ``split`` is False for a side's own assistant
        self.scopes = Scopes(corpus, searcher.agencies) if split else None
        self._sides = SideCache(self._side_assistant)
        home = self.scopes.home_side if self.scopes else None
        self.home: Assistant | None = self._sides.get(home, keep=True) if home else None

    @property
    def matcher(self) -> Matcher:
        """The enterprise matcher over the measures catalogue, built at first use (it reads
        every task's vector from the index and embeds the label descriptions once)."""
        with self._matcher_lock:
            if self._matcher is None:
                index = self.searcher.index
                self._matcher = Matcher(self.corpus, index, Catalogue.build(self.corpus, index))
            return self._matcher

    @classmethod
    def from_settings(cls, settings: Settings, corpus: Corpus,
                      progress: Progress | None = None) -> Assistant:
        """Open (building or updating first if needed) the index and wire everything."""
        index, _ = ensure_index(settings, corpus, progress=progress)
        return cls(corpus, Searcher(index, corpus, settings.search), settings.assistant,
                   polisher=Polisher.from_settings(settings.llm, corpus))  # None for "none"

    # -- entry point ----------------------------------------------------------------------

    def answer(self, question: str, history: Sequence[Turn] = ()) -> Answer:
        """normalise → understand (with the slots of earlier turns) → execute → frame →
        (polish); by the home side when the conversation names no other place. The same
        question after the same turns again: the answer given before (``answer_cache.py``)."""
        return self.answers.answer(question, history, lambda: self._answer(question, history))

    def warm(self) -> None:
        """Load now what the first questions would load (the speller's pinyin tables, the
        enterprise catalogue's label vectors, the embedding engine) on the side that answers
        them (home's: this one's own are never used then), so that no visitor's question pays
        seconds for it."""
        side = self.home or self
        side.understander.reader.warm()
        _ = side.matcher
        side.searcher.index.embedder.embed_query("warm")

    def _answer(self, question: str, history: Sequence[Turn]) -> Answer:
        side = self._side(question, history)
        if side is not self:
            return side.answer(question, history)
        question = normalise(self._validate(question, history))
        limit = self.settings.max_question_chars
        users = [normalise(t.content)[:limit] for t in history
                 if t.role == "user" and t.content.strip()]
        ctx = self._replay(users[-3:])
        query = self.understander.understand(question, ctx.query if ctx else None)
        # the texts' words for an English yes/no question, which its verdicts are read against
        english = query.lang == "en" and query.yes_no
        tokenizer = self.searcher.index.lexical.tokenizer
        terms = tokenizer.translations(question)[1] if english else ()
        said_all = _ALL_OF.search(question) if english else None
        of_all = tokenizer.translations(said_all.group(1))[1] if said_all else ()
        subject = years.year_subject(self.evidence, " ".join((query.topic, *terms)),
                                       query.topic, self.kit.routing.reached) \
            if query.yes_no and query.year else ()
        executed = self.executor.execute(query, ctx if query.follow_up else None)
        answer = frame(self.kit, query, executed, self.guard, terms, subject, of_all)
        return answer if self.polisher is None else self.polisher.polish(question, query.lang,
                                                                          answer)

    def understand(self, question: str, history: Sequence[Turn] = ()) -> Query:
        """What the pipeline makes of a question: for tests, logs and ``--json``."""
        side = self._side(question, history)
        if side is not self:
            return side.understand(question, history)
        users = [normalise(t.content) for t in history if t.role == "user"]
        previous = self.understander.conversation(users[-3:]) if users else None
        return self.understander.understand(normalise(question), previous)

    def side(self, places: Sequence[str] = (), docs: Sequence[str] = (),
             district: str | None = None) -> Assistant:
        """The assistant of the side of these places (a held place's name or word, or home's),
        documents and the district of home a business is in (its plan, if held); none of
        them: the home side (sides.py). ``UnknownPlace`` lists the places that may be named,
        ``UnknownDocument`` the documents."""
        side = side_for(self.corpus, places, docs, district)  # checks the names first
        if self.scopes is None or self.scopes.home_side is None:
            return self
        return self._sides.get(side)

    def _side(self, question: str, history: Sequence[Turn]) -> Assistant:
        """The assistant of the side the question and the turns answered again with it (the
        latest three) are about (scopes.py): the home side's unless they name another place."""
        if self.scopes is None:
            return self
        limit = self.settings.max_question_chars
        users = [normalise(t.content)[:limit] for t in history
                 if t.role == "user" and t.content.strip()]
        side = self.scopes.side(normalise(question)[:limit], users[-3:])
        return self if side is None else self._sides.get(side)

    def _side_assistant(self, side: Side) -> Assistant:
        """An assistant over a side: its corpus and index view, nothing outside them."""
        corpus = side_corpus(self.corpus, side)
        index = self.searcher.index.view(side.doc_ids)
        return Assistant(corpus, Searcher(index, corpus, self.searcher.settings),
                         self.settings, templates=self.kit.templates,
                         routing=self.kit.routing, polisher=self.polisher, split=False)

    def _replay(self, questions: Sequence[str]) -> Context | None:
        """The earlier turns answered again, each with the one before as its context, so a
        follow-up sees the answer the user saw (the server keeps no state)."""
        ctx: Context | None = None
        for text in questions:
            query = self.understander.understand(text, ctx.query if ctx else None)
            answer = self.executor.execute(query, ctx if query.follow_up else None)
            subject = text if self.evidence.topic(text) else (ctx.subject_question if ctx
                                                              else "")
            ctx = Context(text, answer, query, subject)
        return ctx

    def _validate(self, question: str, history: Sequence[Turn]) -> str:
        question = question.strip()
        if not question:
            raise BadInput("the question is empty")
        if len(question) > self.settings.max_question_chars:
            raise BadInput(f"the question is {len(question)} characters long; the limit is "
                           f"{self.settings.max_question_chars}")
        if len(history) > self.settings.max_history_turns:
            raise BadInput(f"the history has {len(history)} turns; the limit is "
                           f"{self.settings.max_history_turns}")
        for turn in history:
            if turn.role not in ("user", "assistant"):
                raise BadInput(f"a history turn's role must be user or assistant, not "
                               f"{turn.role!r}")
        return question

    # -- execution ------------------------------------------------------------------------

_ALL_OF = re.compile(r"\b(?:all|every|each|any)\s+((?:[\w-]+\s+){0,3}[\w-]+)", re.IGNORECASE)
