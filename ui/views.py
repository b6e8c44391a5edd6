"""Plain dicts of the structure for JSON output; the same shapes the HTTP API will serve. And
the duty table as CSV, one layout for the command line and the staff console's download."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from core.model import Agency, Answer, Citation, Clause, Document, Duty, Hit, Provision, Target
from indexing.corpus import Corpus


def document_view(doc: Document) -> dict[str, Any]:
    meta = doc.meta
    return {
        "doc_id": meta.doc_id,
        "title": meta.title,
        "short_title": meta.short_title,
        "english_title": meta.english_title,
        "issuer": meta.issuer,
        "number": meta.number,
        "date": meta.date,
        "published": meta.published,
        "level": meta.level.value,
        "implements": list(meta.implements),
        "parts": len(doc.parts),
        "clauses": len(doc.clauses),
        "provisions": len(doc.provisions),
        "responsibility_brackets": sum(1 for p in doc.provisions if p.responsibility),
    }


def provision_view(provision: Provision) -> dict[str, Any]:
    return {
        "provision": provision.index,
        "text": provision.text,
        "agencies": list(provision.agencies),
        "lead_agency": provision.lead_agency,
        "and_others": provision.and_others,
        "responsibility": provision.responsibility,
        "line": provision.line,
    }


def location_view(corpus: Corpus, doc_id: str, part_no: int,
                  clause_no: int | None) -> dict[str, Any]:
    """Where a text sits: document, part and clause, as a citation names them."""
    doc = corpus.document(doc_id)
    part = doc.part(part_no)
    clause = doc.clause(clause_no) if clause_no is not None else None
    return {
        "doc_id": doc.doc_id,
        "doc_title": doc.meta.title,
        "clause_no": clause_no,
        "clause_label": clause.label if clause else None,
        "clause_title": clause.title if clause else None,
        "part": part.heading if part else None,
    }


def clause_view(corpus: Corpus, clause: Clause) -> dict[str, Any]:
    return {
        **location_view(corpus, clause.doc_id, clause.part_no, clause.no),
        "text": clause.text,
        "line": clause.line,
        "provisions": [provision_view(p) for p in clause.provisions],
    }


def agency_view(agency: Agency) -> dict[str, Any]:
    return {"name": agency.name, "kind": agency.kind.value, "english": agency.english,
            "aliases": list(agency.aliases), "jurisdiction": agency.jurisdiction}


def duty_view(corpus: Corpus, duty: Duty) -> dict[str, Any]:
    p = duty.provision
    return {**location_view(corpus, p.doc_id, p.part_no, p.clause_no), **provision_view(p),
            "role": duty.role.value}


DUTY_CSV_COLUMNS = ("doc_id", "clause_no", "clause_label", "clause_title", "provision", "role",
                    "lead_agency", "agencies", "text")


def duties_csv(corpus: Corpus, duties: Sequence[Duty]) -> str:
    """An agency's duties as CSV text (``policy-assistant duties X --csv``), header first."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(DUTY_CSV_COLUMNS)
    for d in duties:
        v = duty_view(corpus, d)
        writer.writerow([v["doc_id"], v["clause_no"], v["clause_label"], v["clause_title"],
                         v["provision"], v["role"], v["lead_agency"], "、".join(v["agencies"]),
                         v["text"]])
    return out.getvalue()


def target_view(corpus: Corpus, target: Target) -> dict[str, Any]:
    return {
        **location_view(corpus, target.doc_id, target.part_no, target.clause_no),
        "provision": target.provision,
        "indicator": target.indicator,
        "comparator": target.comparator,
        "value": target.value,
        "unit": target.unit,
        "qualifier": target.qualifier,
        "display_value": target.display_value,
        "year": target.year,
        "base_year": target.base_year,
        "text": target.text,
    }


def hit_view(corpus: Corpus, hit: Hit, rank: int) -> dict[str, Any]:
    c = hit.chunk
    return {
        "rank": rank,
        **location_view(corpus, c.doc_id, c.part_no, c.clause_no),
        "provision": c.provision,
        "kind": c.kind.value,
        "score": None if hit.score == float("inf") else round(hit.score, 6),
        "via": hit.via,
        "text": c.text,
        "agencies": list(c.agencies),
        "lead_agency": c.lead_agency,
    }


def citation_view(c: Citation) -> dict[str, Any]:
    return {
        "n": c.n,
        "doc_id": c.doc_id,
        "doc_title": c.doc_title,
        "doc_short_title": c.doc_short_title,
        "clause_no": c.clause_no,
        "clause_label": c.clause_label,
        "clause_title": c.clause_title,
        "part": c.part,
        "part_no": c.part_no,
        "provision": c.provision,
        "quote": c.quote,
        "agencies": list(c.agencies),
        "lead_agency": c.lead_agency,
    }


def answer_view(answer: Answer) -> dict[str, Any]:
    """The Answer of shared/interface.md."""
    return {
        "answer": answer.answer,
        "refused": answer.refused,
        "not_stated": answer.not_stated,
        "intent": answer.intent.value,
        "route": answer.route,
        "citations": [citation_view(c) for c in answer.citations],
    }
