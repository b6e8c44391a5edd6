"""Which agency: a question names one that several other jurisdictions' plans have and home's
none (自治区发展改革委 with two regions' plans loaded). The answer lists them, each with its
place and plan, and asks which; nothing is guessed."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answers.kit import Kit
from core.model import Answer, Intent


def which_agency(kit: Kit, key: str, names: Sequence[str], lang: str, route: str) -> Answer:
    corpus = kit.corpus
    listed = []
    for name in names:
        duties = corpus.duties(name)
        meta = corpus.document(duties[0].provision.doc_id).meta if duties else None
        doc = (meta.english_title if lang == "en" else "") or meta.title if meta else ""
        listed.append(f"{name}（《{doc}》）" if lang == "zh" and doc else
                      f"{name} ({doc})" if doc else name)
    sep = "、" if lang == "zh" else "; "
    return Answer(kit.t(lang, "which_agency", name=key, names=sep.join(listed)), False,
                  Intent.DUTIES, route=route)
