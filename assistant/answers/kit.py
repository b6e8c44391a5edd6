"""What every composer needs: the corpus, the answer templates, and the few ways of naming
things (documents, agencies, places) that all answers share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assistant.compose import Templates
from core.model import Provision
from indexing.corpus import Corpus


@dataclass(frozen=True, slots=True)
class Kit:
    corpus: Corpus
    templates: Templates

    def t(self, lang: str, key: str, **values: object) -> str:
        return self.templates.get(lang, key, **values)

    def doc_name(self, doc_id: str, lang: str) -> str:
        meta = self.corpus.document(doc_id).meta
        return meta.short_title if lang == "zh" else meta.english_title

    def doc_title(self, doc_id: str, lang: str) -> str:
        meta = self.corpus.document(doc_id).meta
        return meta.title if lang == "zh" else meta.english_title

    def agency_names(self, names: Sequence[str], lang: str) -> list[str]:
        if lang == "zh":
            return list(names)
        out = []
        for name in names:
            english = self.corpus.registry.agency(name).english
            out.append(f"{english} ({name})" if english else name)
        return out

    def agency_list(self, p: Provision, lang: str) -> str:
        """市商务局（牵头）、市发展改革委等: the bracket's agencies, lead marked, as one phrase."""
        names = self.agency_names(p.agencies, lang)
        if not names:
            return ""
        if lang == "zh":
            text = f"{names[0]}（牵头）" + ("、" + "、".join(names[1:]) if names[1:] else "")
            return text + ("等部门" if p.and_others else "")
        text = f"{names[0]} (lead)" + ("; " + "; ".join(names[1:]) if names[1:] else "")
        return text + (" and other departments" if p.and_others else "")
