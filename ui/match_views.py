"""Plain dicts of the measures catalogue and of a match: the JSON of ``POST /v1/match``,
``GET /v1/measures``, ``policy-assistant match --json`` and ``measures --json``; and the same
as CSV and XLSX rows (the console's export, ``measures --csv``)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from assistant.matcher import Match, MatchItem, Profile
from indexing.corpus import Corpus
from indexing.measures.catalogue import Measure
from indexing.measures.labels import Vocabulary
from indexing.measures.table import Catalogue
from ui.views import location_view


def measure_view(corpus: Corpus, catalogue: Catalogue, m: Measure) -> dict[str, Any]:
    p, vocab = m.provision, catalogue.vocab
    doc = corpus.document(m.doc_id)
    return {
        "ref": m.ref,
        **location_view(corpus, p.doc_id, p.part_no, p.clause_no),
        "doc_short_title": doc.meta.short_title,
        "part_no": p.part_no,
        "provision": p.index,
        "quote": p.text,
        "agencies": list(p.agencies),
        "lead_agency": m.lead_agency,
        "audience": list(m.audience),
        "kind": list(m.kind),
        "sides": [s.value for s in catalogue.sides(m)],
        "labels": [vocab.label(i).name for i in (*m.audience, *m.kind)],
        "source": m.source,
    }


def twin_view(corpus: Corpus, m: Measure) -> dict[str, Any]:
    """The same task in another document: where it is and its own agencies."""
    p = m.provision
    return {"ref": m.ref, **location_view(corpus, p.doc_id, p.part_no, p.clause_no),
            "doc_short_title": corpus.document(m.doc_id).meta.short_title,
            "provision": p.index, "quote": p.text, "agencies": list(p.agencies),
            "lead_agency": m.lead_agency}


def item_view(corpus: Corpus, catalogue: Catalogue, item: MatchItem,
              rank: int) -> dict[str, Any]:
    return {"rank": rank, **measure_view(corpus, catalogue, item.measure),
            "score": item.score, "shared": list(item.shared), "not_stated": list(item.notes),
            "also": [twin_view(corpus, m) for m in item.also]}


def match_view(corpus: Corpus, catalogue: Catalogue, profile: Profile,
               match: Match) -> dict[str, Any]:
    vocab = catalogue.vocab
    return {
        "profile": {"description": profile.description, "sector": profile.sector,
                    "district": profile.district, "size": profile.size,
                    "audience": list(match.audience),
                    "audience_names": [vocab.label(a).name for a in match.audience],
                    "read_from": match.how},
        "support": [item_view(corpus, catalogue, i, n)
                    for n, i in enumerate(match.support, 1)],
        "requirements": [item_view(corpus, catalogue, i, n)
                         for n, i in enumerate(match.requirements, 1)],
        "notes": list(match.notes),
    }


def labels_view(vocab: Vocabulary) -> dict[str, Any]:
    return {
        "audience": [{"id": lb.id, "name": lb.name, "covers": lb.covers,
                      "aliases": list(lb.aliases)} for lb in vocab.audience],
        "kind": [{"id": lb.id, "name": lb.name, "covers": lb.covers,
                  "side": lb.side.value if lb.side else None} for lb in vocab.kinds],
    }


MATCH_COLUMNS = ("列表", "序号", "文件", "条款", "任务序号", "任务内容", "牵头单位", "配合单位",
                 "对象", "类别", "未规定事项", "编号", "另见")


def match_rows(match_body: dict[str, Any]) -> list[list[str]]:
    """A match (``match_view``) as rows for CSV or a workbook: support first."""
    rows = []
    for key, name in (("support", "支持措施"), ("requirements", "要求")):
        for item in match_body[key]:
            rows.append([name, str(item["rank"]), item["doc_short_title"],
                         f"{item['part'] or ''}{item['clause_label'] or ''}"
                         f"{item['clause_title'] or ''}",
                         str(item["provision"]), item["quote"], item["lead_agency"] or "",
                         "、".join(a for a in item["agencies"] if a != item["lead_agency"]),
                         "、".join(item["audience"]),
                         "、".join(item["kind"]), "；".join(item["not_stated"]), item["ref"],
                         "；".join(place(t) for t in item["also"])])
    return rows


def place(item: dict[str, Any]) -> str:
    """Where an item (or a twin) of ``match_view`` is, in a few characters."""
    return f"{item['doc_short_title']}{item['clause_label'] or ''}第{item['provision']}项"


def rows_csv(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()
