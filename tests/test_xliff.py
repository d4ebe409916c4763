"""XLIFF 1.2 out and in (workbench/xliff.py): a translation exchanged with a
translator's CAT tool, losslessly; a CAT-style edit lands in the YAML; a bad
file is located errors, the language file untouched."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import etree

from mgi_report.cli import main
from mgi_report.resources import DEFAULT_CONTENT, ROOT
from mgi_report.workbench import xliff

NS = {"x": xliff.NS}


def _tree(tmp_path: Path, which: str = "content") -> Path:
    dest = tmp_path / which
    shutil.copytree(DEFAULT_CONTENT if which == "content" else ROOT / "examples", dest)
    return dest


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _export(capsys, content: Path, slug: str, lang: str, out: Path) -> Path:
    assert main(["xliff", "export", slug, "--lang", lang, "--content", str(content),
                 "-o", str(out)]) == 0, capsys.readouterr().err
    capsys.readouterr()
    return out


def _import(capsys, path: Path, content: Path, *more: str) -> tuple[int, str, str]:
    code = main(["xliff", "import", str(path), *more, "--content", str(content)])
    out, err = capsys.readouterr()
    return code, out, err


def _unit(doc: etree._ElementTree, ident: str) -> etree._Element:
    found = doc.xpath("//x:trans-unit[@id=$i]", namespaces=NS, i=ident)
    assert len(found) == 1, ident
    return found[0]


@pytest.mark.parametrize("slug,lang,which", [("kazakhstan", "de", "content"),
                                             ("kazakhstan", "ru", "content"),
                                             ("kazakhstan", "ar", "content"),
                                             ("ruritania", "ar", "examples"),
                                             ("ruritania-2", "ar", "examples"),
                                             ("strelsau", "ar", "examples")])
def test_export_then_import_leaves_every_file_as_it_was(tmp_path, capsys, slug, lang, which):
    content = _tree(tmp_path, which)
    before = _snapshot(content)
    path = _export(capsys, content, slug, lang, tmp_path / "t.xlf")
    doc = etree.parse(str(path))
    units = doc.xpath("//x:trans-unit", namespaces=NS)
    ids = [u.get("id") for u in units]
    assert len(ids) == len(set(ids)) > 25
    assert {"country", "introduction", "migrants_rights.well_developed[1]", "sources[1]"} \
        <= set(ids)
    first = _unit(doc, "migrants_rights.well_developed[1]")
    assert first.get("resname") == "d1-wd-1"
    assert "domain 1 (migrants_rights), well developed, finding 1; id d1-wd-1" in \
        first.findtext("x:note", namespaces=NS)
    code, out, err = _import(capsys, path, content)
    assert code == 0, err
    assert "unchanged" in out
    assert _snapshot(content) == before


def test_the_gcm_form_and_inline_codes_are_carried(tmp_path, capsys):
    content = _tree(tmp_path, "examples")
    doc = etree.parse(str(_export(capsys, content, "ruritania", "ar", tmp_path / "a.xlf")))
    tagged = _unit(doc, "migrants_rights.well_developed[1]")
    assert "GCM objectives 15" in tagged.findtext("x:note", namespaces=NS)
    assert doc.getroot().find("x:file", NS).get("source-language") == "en"
    assert doc.xpath("//x:target/x:g[@ctype='bold']", namespaces=NS)
    cites = doc.xpath("//x:source/x:ph[@ctype='x-citation']", namespaces=NS)
    assert cites and all(p.text.startswith("[^") for p in cites)
    assert doc.xpath("//x:trans-unit[@id='introduction']/x:source/x:x[@ctype='lb']",
                     namespaces=NS)  # paragraphs, as codes


def test_a_cat_style_edit_lands_in_the_yaml_and_check_passes(tmp_path, capsys):
    content = _tree(tmp_path)
    de = content / "kazakhstan" / "de.yaml"
    before = de.read_text(encoding="utf-8")
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    doc = etree.parse(str(path))
    target = _unit(doc, "migrants_rights.well_developed[4]").find("x:target", NS)
    ph = target.find("x:ph", NS)  # the citation, kept as the CAT tool keeps it
    assert ph.text == "[^law-migration-2011]"
    target.text = "Das Migrationsgesetz von 2011"
    ph.tail = " regelt die Familienzusammenführung neu."
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    code, out, err = _import(capsys, path, content)
    assert code == 0, err
    assert "1 text(s) written" in out
    after = de.read_text(encoding="utf-8")
    assert ("- Das Migrationsgesetz von 2011[^law-migration-2011] regelt die\n"
            "        Familienzusammenführung neu.\n") in after
    old, new = before.splitlines(), after.splitlines()
    assert [line for line in old if line not in new] == [
        "      - Das Gesetz der Republik Kasachstan über die Migration der Bevölkerung",
        "        (2011)[^law-migration-2011] sieht ein Verfahren zur",
        "        Familienzusammenführung für Personen mit ständigem Wohnsitz in",
        "        Kasachstan sowie für Zuwanderinnen und Zuwanderer vor, die in",
        "        Kasachstan ein Unternehmen besitzen."]
    assert main(["check", "--content", str(content)]) == 0
    assert "de.yaml" not in capsys.readouterr().err


def test_a_changed_source_is_marked_for_review_and_stamped_once_reviewed(tmp_path, capsys):
    content = _tree(tmp_path)
    en, de = content / "kazakhstan" / "en.yaml", content / "kazakhstan" / "de.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "Immigrants are guaranteed access", "Immigrants are assured access"), encoding="utf-8")
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    doc = etree.parse(str(path))
    states = {u.get("id"): u.find("x:target", NS).get("state")
              for u in doc.xpath("//x:trans-unit", namespaces=NS)}
    stale = {k for k, v in states.items() if v != "translated"}
    assert stale == {"migrants_rights.well_developed[1]"}
    unit = _unit(doc, "migrants_rights.well_developed[1]")
    note = unit.xpath("x:note[@annotates='source']", namespaces=NS)[0].text
    assert "en.yaml changed since the stamp" in note and "[-guaranteed-] {+assured+}" in note
    # imported as it is: nothing written, not stamped (a unit still needs review)
    hashed = de.read_bytes()
    code, out, err = _import(capsys, path, content)
    assert code == 0 and "not stamped: 1 unit(s)" in out and de.read_bytes() == hashed, err
    # reviewed: the target kept, its state set; the translation is stamped
    unit.find("x:target", NS).set("state", "translated")
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    code, out, _err = _import(capsys, path, content)
    assert code == 0 and "stamped: source_hash" in out, out
    assert main(["check", "--content", str(content)]) == 0
    assert "de.yaml" not in capsys.readouterr().err


def test_translate_toolkit_reads_the_export(tmp_path, capsys):
    """A second program's reader (translate-toolkit, where installed) sees the units."""
    storage = pytest.importorskip("translate.storage.xliff", reason="translate-toolkit "
                                  "is not installed (optional)")
    content = _tree(tmp_path)
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    store = storage.xlifffile.parsefile(str(path))
    ids = [u.getid().rpartition("\x04")[2] for u in store.units]  # file\x04id
    assert "migrants_rights.well_developed[4]" in ids and len(ids) == len(set(ids))
    unit = store.units[ids.index("migrants_rights.well_developed[4]")]
    assert unit.istranslated() and not unit.isfuzzy()
    assert unit.source.startswith("The Law on Migration of the Republic of Kazakhstan (2011)")
    assert "Familienzusammenführung" in unit.target


# ---------------------------------------------------------------- bad files

def _bad(tmp_path, capsys, edit, *more: str) -> tuple[str, Path]:
    """An exported file edited by ``edit(doc)`` (or replaced by the bytes it
    returns), imported: exit 1, every file of the tree untouched; the errors."""
    content = _tree(tmp_path)
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    doc = etree.parse(str(path))
    data = edit(doc)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = _snapshot(content)
    code, out, err = _import(capsys, path, content, *more)
    assert code == 1, (out, err)
    assert _snapshot(content) == before
    assert "Traceback" not in err
    return err, path


def test_a_citation_removed_and_codes_added_or_broken_are_named_all_at_once(tmp_path, capsys):
    def edit(doc):
        t = _unit(doc, "migrants_rights.well_developed[4]").find("x:target", NS)
        ph = t.find("x:ph", NS)
        t.text = (t.text or "") + (ph.tail or "")
        t.remove(ph)  # the translator deleted the citation
        t2 = _unit(doc, "migrants_rights.potential[2]").find("x:target", NS)
        extra = etree.SubElement(t2, f"{{{xliff.NS}}}ph", id="7")
        extra.text = "[^other]"
        t3 = _unit(doc, "whole_of_government.well_developed[2]").find("x:target", NS)
        t3.find("x:ph", NS).text = "[^law-migration-2012]"
    err, path = _bad(tmp_path, capsys, edit)
    shown = str(path)
    assert (f"{shown}:migrants_rights.well_developed[4]: the citation `[^law-migration-2011]` "
            "(code 1) of the source is missing from the translation") in err, err
    assert f"{shown}:migrants_rights.potential[2]: inline code <ph id=\"7\"> is not in the " \
        "source text (added)" in err
    assert f"{shown}:whole_of_government.well_developed[2]: inline code 1 is broken" in err
    assert "3 problems in the content; nothing was written" in err


def test_unknown_and_duplicated_units(tmp_path, capsys):
    def edit(doc):
        u = _unit(doc, "country")
        u.set("id", "migrants_rights.well_developed[99]")
        body = doc.getroot().find(".//x:body", NS)
        body.append(etree.fromstring(etree.tostring(_unit(doc, "short_name"))))
    err, path = _bad(tmp_path, capsys, edit)
    assert f"{path}:migrants_rights.well_developed[99]: no such text" in err
    assert "the unit id `short_name` is used twice (first on line" in err


@pytest.mark.parametrize("original,target,more,expected", [
    ("ruritania/ar.yaml", "ar", (), ":3:1: this file is of the profile `ruritania`, which "),
    ("kazakhstan/de.yaml", "de", ("ruritania",), (":3:1: this file is of kazakhstan/de.yaml, "
     "not ruritania/de.yaml")),
    ("kazakhstan/de.yaml", "de", ("--lang", "ru"), (":3:1: this file is of kazakhstan/de.yaml,"
     " not kazakhstan/ru.yaml")),
    ("kazakhstan/en.yaml", "en", (), (":3:1: this file is of kazakhstan/en.yaml: "
     "kazakhstan/en.yaml is no translation")),
    ("kazakhstan/ru.yaml", "de", (), (':3:1: target-language "de" is not that of '
     "kazakhstan/ru.yaml")),
    ("kazakhstan/ru.yaml", "ru", (), ":acronyms.GAFMA: no such text in kazakhstan/ru.yaml"),
])
def test_another_profile_or_language(tmp_path, capsys, original, target, more, expected):
    def edit(doc):
        file = doc.getroot().find("x:file", NS)
        file.set("original", original)
        file.set("target-language", target)
    err, path = _bad(tmp_path, capsys, edit, *more)
    assert f"{path}{expected}" in err, err


@pytest.mark.parametrize("data,expected", [
    ((b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n'
     b'<xliff version="1.2">&e;</xliff>'), ":2:1: a DOCTYPE or entity declaration: refused"),
    ((b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY l2 "&lol;&lol;">]>'
     b'<lolz>&l2;</lolz>'), ":2:1: a DOCTYPE"),
    (b"country: Kasachstan\n", ":1:1: not well-formed XML"),
    (b"PK\x03\x04\x00\x00binary", ":1:1: not well-formed XML"),
    ((b'<?xml version="1.0"?>\n<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:'
     b'document:1.2">\n  <file original="kazakhstan/de.yaml">\n    <body>\n      '
     b'<trans-unit id="country"><source>Republic of Kazakhstan</source>\n'), (":6:1: not "
     "well-formed XML")),
])
def test_dangerous_or_broken_xml_is_refused_where_it_is(tmp_path, capsys, data, expected):
    err, path = _bad(tmp_path, capsys, lambda doc: data)
    assert f"{path}{expected}" in err, err


def test_a_huge_file_is_refused_before_it_is_read(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(xliff, "MAX_BYTES", 10_000)
    err, path = _bad(tmp_path, capsys, lambda doc: None)
    assert f"{path}:1:1: the file is " in err and "the limit is 10,000" in err


def test_a_translation_in_another_script_is_refused(tmp_path, capsys):
    content = _tree(tmp_path)
    path = _export(capsys, content, "kazakhstan", "ru", tmp_path / "ru.xlf")
    doc = etree.parse(str(path))
    _unit(doc, "context" if doc.xpath("//x:trans-unit[@id='context']", namespaces=NS)
          else "introduction").find("x:target", NS).text = "Dieser Text ist deutsch."
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = _snapshot(content)
    code, _out, err = _import(capsys, path, content)
    assert code == 1 and _snapshot(content) == before
    assert f"{path}:introduction: the translation is not in `ru`: mostly Latin letters" in err


def test_a_text_the_translation_lacks_is_marked_and_not_guessed_into_place(tmp_path, capsys):
    content = _tree(tmp_path)
    en = content / "kazakhstan" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    en.write_text(text.replace("  partnerships:\n    well_developed:\n",
                               "  partnerships:\n    well_developed:\n      - A new finding.\n",
                               1), encoding="utf-8")
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    doc = etree.parse(str(path))
    last = doc.xpath("//x:trans-unit[starts-with(@id, 'partnerships.well_developed[')]",
                     namespaces=NS)[-1]
    assert last.find("x:target", NS) is None  # the translation has one entry fewer
    etree.SubElement(last, f"{{{xliff.NS}}}target", state="translated").text = "Neu."
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    before = _snapshot(content)
    code, _, err = _import(capsys, path, content)
    assert code == 1 and _snapshot(content) == before
    assert f"{path}:{last.get('id')}: de.yaml has no text here yet" in err, err


def test_emphasis_kept_around_words_translated_anew(tmp_path, capsys):
    content = _tree(tmp_path, "examples")
    ar = content / "ruritania" / "ar.yaml"
    path = _export(capsys, content, "ruritania", "ar", tmp_path / "ar.xlf")
    doc = etree.parse(str(path))
    target = _unit(doc, "migrants_rights.well_developed[1]").find("x:target", NS)
    g = target.find("x:g", NS)
    assert g.get("ctype") == "bold"
    target.text = "يحصل المهاجرون النظاميون على الخدمات العامة، "
    g.text = "أياً كان وضعهم"
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    code, out, err = _import(capsys, path, content)
    assert code == 0, err
    assert "يحصل المهاجرون النظاميون على الخدمات العامة، **أياً كان وضعهم**." in \
        " ".join(ar.read_text(encoding="utf-8").split())
    assert main(["check", "--content", str(content)]) == 0
    assert "ruritania/ar.yaml" not in capsys.readouterr().err


@pytest.mark.parametrize("argv,expected", [
    (["xliff", "export", "kazakhstan", "--lang", "en"], "is no translation"),
    (["xliff", "export", "kazakhstan", "--lang", "fr"], "no fr.yaml for kazakhstan"),
    (["xliff", "export", "kazakstan", "--lang", "de"], "kazakhstan"),
    (["xliff", "export", "kazakhstan", "--lang", "de", "-o", "{content}/kazakhstan/de.xlf"],
     "a folder of inputs"),
])
def test_usage_errors_write_nothing(tmp_path, capsys, argv, expected):
    content = _tree(tmp_path)
    before = _snapshot(content)
    argv = [a.format(content=content) for a in argv]
    code = main([*argv, "--content", str(content)])
    err = capsys.readouterr().err
    assert code == 2 and expected in err, err
    assert _snapshot(content) == before


def test_markup_typed_as_words_stays_words(tmp_path, capsys):
    """A citation or emphasis typed into the target's text (not an inline code)
    is no markup: it is escaped and prints as typed; no citation is added so."""
    content = _tree(tmp_path)
    de = content / "kazakhstan" / "de.yaml"
    path = _export(capsys, content, "kazakhstan", "de", tmp_path / "de.xlf")
    doc = etree.parse(str(path))
    target = _unit(doc, "migrants_rights.well_developed[3]").find("x:target", NS)
    target.text = "Es gibt *einen* Rahmen[^law-migration-2011] für 2 * 3 Jahre."
    doc.write(str(path), xml_declaration=True, encoding="UTF-8")
    code, out, err = _import(capsys, path, content)
    assert code == 0, err
    assert r"Es gibt \*einen\* Rahmen\[^law-migration-2011] für 2 \* 3 Jahre." in \
        " ".join(de.read_text(encoding="utf-8").split())
    assert main(["check", "--content", str(content)]) == 0
    capsys.readouterr()


def test_a_fifo_is_refused_without_being_opened(tmp_path, capsys):
    fifo = tmp_path / "de.xlf"
    os.mkfifo(fifo)  # a reader would wait on it for ever
    code = main(["xliff", "import", str(fifo), "--content", str(DEFAULT_CONTENT)])
    err = capsys.readouterr().err
    assert code == 1 and f"{fifo}:1:1: cannot read the file: it is a FIFO, not a regular " \
        "file" in err, err
