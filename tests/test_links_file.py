"""corpus/links.toml written for one local plan (``policy-assistant links DOC --write``): that
plan's entries replaced, every other entry and comment kept byte for byte, and the result
loads and is checked like the shipped file."""

from __future__ import annotations

from pathlib import Path

from assistant.links import links_toml
from indexing.corpus import LINKS_FILE, load_links

ADDED = "guangxi-2021-green"


def test_one_plans_links_replace_only_its_own(corpus_dir: Path, tmp_path: Path) -> None:
    shipped = (corpus_dir / LINKS_FILE).read_text(encoding="utf-8")
    assert links_toml(ADDED, [], shipped) == shipped
    added = links_toml(ADDED, [(1, "guofa-2021-4", 1), (1, "zhongfa-2021-36", 1),
                               (3, "guofa-2021-4", 4)], shipped)
    assert added.startswith(shipped.rstrip("\n") + "\n\n[[link]]\nfrom = \"guangxi-2021-green/1\"")
    path = tmp_path / LINKS_FILE
    path.write_text(added, encoding="utf-8")
    links = load_links(path)
    assert [link for link in links if link[0] == ADDED] == [
        (ADDED, 1, "guofa-2021-4", 1), (ADDED, 1, "zhongfa-2021-36", 1),
        (ADDED, 3, "guofa-2021-4", 4)]
    assert [link for link in links if link[0] != ADDED] == list(load_links(corpus_dir / LINKS_FILE))
    # written again with other links: the old ones of that plan are gone, the rest as shipped
    again = links_toml(ADDED, [(2, "guofa-2021-4", 3)], added)
    assert again == links_toml(ADDED, [(2, "guofa-2021-4", 3)], shipped)
    assert links_toml(ADDED, [], again) == shipped
