"""Putting texts back into a language file (content/rewrite.py): every other
byte kept; a changed text written in its own style where it can be, read back
as written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mgi_report.content import rewrite, tree, yamlsource
from mgi_report.resources import DEFAULT_CONTENT
from mgi_report.resources import ROOT as PROJECT

FILES = [DEFAULT_CONTENT / "kazakhstan" / f"{lang}.yaml" for lang in ("de", "ru", "ar")] + \
    [PROJECT / "examples" / "ruritania" / "ar.yaml", PROJECT / "examples" / "ruritania-2" / "ar.yaml"]


def _read(path: Path):
    root, rep = yamlsource.read_yaml(path, path.name)
    return rep.text, root


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
def test_every_text_written_back_unchanged_leaves_the_file_as_it_was(path):
    text, root = _read(path)
    found = rewrite.places(root)
    lf = tree.read_language(path, path.stem)
    assert lf is not None
    assert {"country", "short_name", "domains.migrants_rights.well_developed[1]"} - set(found) \
        == {"domains.migrants_rights.well_developed[1]"}  # named as walk names them
    assert "migrants_rights.well_developed[1]" in found and "sources[1]" in found
    edits = {name: place.node.value for name, place in found.items()}
    assert rewrite.rewrite(text, root, edits) == text
    # also with the texts re-spaced as a CAT tool might: they read the same
    edits = {name: "  " + " \n ".join(value.split(" ")) for name, value in edits.items()}
    assert rewrite.rewrite(text, root, edits) == text


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}-{p.stem}")
@pytest.mark.parametrize("variant", ["{} and more words", 'Said: "yes" {} # no comment',
                                     "- {}", "yes", "{}\n\nA second paragraph [^x] *em*",
                                     "'{}'", "#{} \\ back"])
def test_every_text_changed_reads_back_as_written(path, variant):
    text, root = _read(path)
    found = rewrite.places(root)
    edits = {n: variant.format(rewrite.canonical(p.node.value)) for n, p in found.items()}
    out = rewrite.rewrite(text, root, edits)
    back = rewrite.places(yaml.compose(out, Loader=yaml.SafeLoader))
    assert {n: rewrite.canonical(p.node.value) for n, p in back.items()} == \
        {n: rewrite.canonical(v) for n, v in edits.items()}


def test_one_text_changed_changes_only_its_lines():
    path = PROJECT / "examples" / "ruritania" / "ar.yaml"
    text, root = _read(path)
    found = rewrite.places(root)
    name = "migrants_rights.well_developed[2]"  # a {text:, gcm:} finding, plain, wrapped
    new = found[name].node.value.replace("،", "، جديد", 1)
    out = rewrite.rewrite(text, root, {name: new})
    before, after = text.splitlines(), out.splitlines()
    changed = [n for n, (a, b) in enumerate(zip(before, after)) if a != b]
    assert len(before) == len(after) and len(changed) == 1, changed
    assert "جديد" in after[changed[0]] and not after[changed[0]].lstrip().startswith('"')


def test_a_comment_after_a_text_stays_and_paragraphs_go_into_quotes():
    text = ("country: Testland   # the name\nshort_name: Test\nintroduction: One.  # intro\n"
            "domains: {}\nacronyms: {ABC: 'a b c'}\n")
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    out = rewrite.rewrite(text, root, {"introduction": "One.\n\nTwo: three",
                                       "acronyms.ABC": "it's a b c", "country": "Testland"})
    assert out == ('country: Testland   # the name\nshort_name: Test\n'
                   'introduction: "One.\\n\\nTwo: three"  # intro\n'
                   "domains: {}\nacronyms: {ABC: 'it''s a b c'}\n")


def test_a_text_it_cannot_place_is_named():
    text = "country: Testland\nshort_name: &n Test\ndomains: {}\n"
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    with pytest.raises(rewrite.RewriteError) as caught:
        rewrite.rewrite(text, root, {"context": "x", "short_name": "Other"})
    assert [n for n, _ in caught.value.problems] == ["context", "short_name"]
