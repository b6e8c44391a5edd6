"""Labels by cue words (cues.toml): what the text of a task says outright.

- audience: every label whose words the task's text uses; when it uses none, the labels whose
  heading words the clause title uses.
- kind: every label whose words the text uses. ``internal`` only stands for a task that names
  no audience or has no other kind (planning a sector's work is still the sector's concern).
- a clause of the government's own work (cues.toml ``[internal] headings``), or a task that
  writes policy (``[internal] phrases``): internal, and public_sector when the text names
  government bodies (有关部门, 各地区 …).
- silent: no audience and no kind; the embedder decides (indexing.measures.catalogue).
"""

from __future__ import annotations

from dataclasses import dataclass

from indexing.measures.labels import Group, Vocabulary


@dataclass(frozen=True, slots=True)
class RuleLabels:
    audience: tuple[str, ...]
    kind: tuple[str, ...]
    cues: tuple[str, ...]  # the words that decided, for the reviewer's table

    @property
    def has_audience(self) -> bool:
        return bool(self.audience)

    @property
    def has_kind(self) -> bool:
        return bool(self.kind)


def _matches(vocab: Vocabulary, group: Group, text: str) -> dict[str, tuple[str, ...]]:
    found = {}
    for label_id in vocab.ids(group):
        cues = vocab.cues.get(label_id)
        words = cues.find(text) if cues else ()
        if words:
            found[label_id] = words
    return found


def audience_cues(vocab: Vocabulary, text: str) -> dict[str, tuple[str, ...]]:
    """Each audience label whose cue words ``text`` uses, with those words."""
    return _matches(vocab, Group.AUDIENCE, text)


def classify(vocab: Vocabulary, text: str, heading: str = "") -> RuleLabels:
    """The labels the cue words give a task's ``text`` under a clause titled ``heading``."""
    own = ([f"《{heading}》"] if heading and any(w in heading for w in vocab.internal_headings)
           else [w for w in vocab.internal_phrases if w in text])
    if own:
        # the government's own work: it concerns government bodies when the text names them
        bodies = _matches(vocab, Group.AUDIENCE, text).get("public_sector", ())
        return RuleLabels(("public_sector",) if bodies else (), ("internal",), (*own, *bodies))
    audience = _matches(vocab, Group.AUDIENCE, text)
    cues = [w for words in audience.values() for w in words]
    if not audience and heading:
        audience = {label_id: () for label_id in vocab.ids(Group.AUDIENCE)
                    if (c := vocab.cues.get(label_id)) is not None and c.in_heading(heading)}
        cues += [f"《{heading}》"] if audience else []
    kinds = _matches(vocab, Group.KIND, text)
    if "internal" in kinds and audience and len(kinds) > 1:
        del kinds["internal"]
    cues += [w for words in kinds.values() for w in words]
    return RuleLabels(tuple(audience), tuple(kinds), tuple(dict.fromkeys(cues)))
