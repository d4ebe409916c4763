"""Word for the government's review (workbench/word.py, wordin.py): the
profile's texts as a .docx with the changes since a revision as Word's own
tracked changes; a reviewer's comment and tracked changes read back at their
text, and applied to exactly that text; a bad .docx is located errors, the
language file untouched."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from mgi_report.cli import main
from mgi_report.resources import DEFAULT_CONTENT
from mgi_report.workbench import wordin

W = {"w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main"}
REVIEWER, WHEN = "Ministry of Labour", "2027-02-03T10:00:00Z"


def _content(tmp_path: Path, git: bool = False) -> Path:
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT, content)
    if git:
        run = ["git", "-C", str(tmp_path), "-c", "user.name=Editor",
               "-c", "user.email=editor@example.org"]
        subprocess.run([*run, "init", "-q"], check=True)
        subprocess.run([*run, "add", "-A"], check=True)
        subprocess.run([*run, "commit", "-qm", "consultation"], check=True)
    return content


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def _cli(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _write(capsys, content: Path, lang: str, out: Path, *more) -> Path:
    code, _, err = _cli(capsys, "docx", "kazakhstan", "--lang", lang, "--content", content,
                        "-o", out, *more)
    assert code == 0, err
    return out


def _control(document, name: str):
    found = [sdt for sdt in document.element.body.iter(qn("w:sdt"))
             if sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}").get(qn("w:val")) == name]
    assert len(found) == 1, name
    return found[0]


def test_texts_are_tagged_paragraphs_with_footnotes_and_headings(tmp_path, capsys):
    content = _content(tmp_path)
    path = _write(capsys, content, "de", tmp_path / "de.docx")
    document = docx.Document(str(path))
    assert document.core_properties.identifier == "mgi-report:kazakhstan/de.yaml"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Einleitung" in headings or "Introduction" in headings
    assert any(h.startswith("1. ") for h in headings)
    sdt = _control(document, "migrants_rights.well_developed[4]")
    assert sdt.find(f"{qn('w:sdtPr')}/{qn('w:alias')}").get(qn("w:val")) == "d1-wd-4"
    refs = sdt.findall(".//" + qn("w:footnoteReference"))
    assert len(refs) == 1  # [^law-migration-2011], as a Word footnote
    with zipfile.ZipFile(path) as zf:
        notes = etree.fromstring(zf.read("word/footnotes.xml"))
    note = notes.xpath("//w:footnote[@w:id=$i]", namespaces=W, i=refs[0].get(qn("w:id")))[0]
    assert "Über die Migration der Bevölkerung" in "".join(note.itertext())


#: The schema's order of the run and paragraph properties used (Word refuses others).
RPR = ["ins", "del", "rStyle", "rFonts", "b", "i", "color", "u", "vertAlign", "rtl"]
PPR = ["pStyle", "bidi", "rPr"]


def test_properties_stand_in_the_schemas_order(tmp_path, capsys):
    content = _content(tmp_path)
    path = _write(capsys, content, "ar", tmp_path / "ar.docx")
    with zipfile.ZipFile(path) as zf:
        for part in ("word/document.xml", "word/footnotes.xml"):
            root = etree.fromstring(zf.read(part))
            for pr, order in (("rPr", RPR), ("pPr", PPR)):
                for element in root.iter(qn(f"w:{pr}")):
                    names = [etree.QName(c).localname for c in element]
                    assert all(n in order for n in names), names
                    assert names == sorted(names, key=order.index), names


def test_changes_since_a_revision_are_tracked_changes_with_author_and_date(tmp_path, capsys):
    content = _content(tmp_path, git=True)
    en = content / "kazakhstan" / "en.yaml"
    en.write_text(en.read_text(encoding="utf-8").replace(
        "Immigrants are guaranteed access", "Immigrants are assured access"), encoding="utf-8")
    path = _write(capsys, content, "en", tmp_path / "en.docx", "--since", "HEAD")
    with zipfile.ZipFile(path) as zf:
        body = etree.fromstring(zf.read("word/document.xml"))
    ins = body.xpath("//w:ins[w:r]", namespaces=W)
    dels = body.xpath("//w:del", namespaces=W)
    assert ["".join(i.itertext()) for i in ins] == ["assured"]
    assert ["".join(d.itertext()) for d in dels] == ["guaranteed"]
    for mark in ins + dels:
        assert mark.get(qn("w:author")) == "mgi-report"
        assert mark.get(qn("w:date")).endswith("Z") and len(mark.get(qn("w:date"))) == 20
    tagged = ins[0].xpath("ancestor::w:sdt/w:sdtPr/w:tag/@w:val", namespaces=W)
    assert tagged == ["migrants_rights.well_developed[1]"]
    # read back unreviewed: nothing of a reviewer, nothing to apply
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply")
    assert code == 0 and "nothing to apply" in out, err


def test_a_finding_added_a_finding_removed_and_a_paragraph_edited_since(tmp_path, capsys):
    content = tmp_path / "examples"
    shutil.copytree(DEFAULT_CONTENT.parent / "examples", content)
    run = ["git", "-C", str(tmp_path), "-c", "user.name=Editor",
           "-c", "user.email=editor@example.org"]
    subprocess.run([*run, "init", "-q"], check=True)
    subprocess.run([*run, "add", "-A"], check=True)
    subprocess.run([*run, "commit", "-qm", "consultation"], check=True)
    en = content / "ruritania" / "en.yaml"
    text = en.read_text(encoding="utf-8")
    edited = text.replace("Ruritania is a fictional country;", "Ruritania is an invented "
                          "country;", 1)
    # the first finding of the first list removed, a new one put in its place
    lines = edited.splitlines(keepends=True)
    start = next(n for n, line in enumerate(lines) if line.strip().startswith("well_developed:"))
    item = start + 1
    end = item + 1
    while not lines[end].lstrip().startswith("- ") and lines[end].startswith("        "):
        end += 1
    removed = "".join(lines[item:end])
    del lines[item:end]
    lines.insert(item, "      - A council on migration meets every month.\n")
    en.write_text("".join(lines), encoding="utf-8")
    assert removed.startswith("      - ")
    path = tmp_path / "en.docx"
    code, out, err = _cli(capsys, "docx", "ruritania", "--lang", "en", "--content", content,
                          "--since", "HEAD", "-o", path)
    assert code == 0, err
    with zipfile.ZipFile(path) as zf:
        body = etree.fromstring(zf.read("word/document.xml"))
    inserted = ["".join(i.itertext()) for i in body.xpath("//w:ins[w:r]", namespaces=W)]
    deleted = ["".join(d.itertext()) for d in body.xpath("//w:del", namespaces=W)]
    assert "an invented" in inserted and "a fictional" in deleted
    assert "A council on migration meets every month." in inserted
    assert body.xpath("//w:sdt[.//w:tag/@w:val='introduction']//w:p", namespaces=W)
    gone = [d for d in body.xpath("//w:del", namespaces=W) if not d.xpath("ancestor::w:sdt", namespaces=W)]
    assert len(gone) == 1  # the removed finding: a deleted paragraph of its own
    # read back with nothing of a reviewer: nothing to apply, nothing written
    before = _snapshot(content)
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply")
    assert code == 0 and out.splitlines()[-1].endswith("nothing to apply"), (out, err)
    assert _snapshot(content) == before


def test_rejecting_the_editors_change_in_word_restores_the_old_wording(tmp_path, capsys):
    content = _content(tmp_path, git=True)
    en = content / "kazakhstan" / "en.yaml"
    original = en.read_text(encoding="utf-8")
    en.write_text(original.replace("Immigrants are guaranteed access",
                                   "Immigrants are assured access"), encoding="utf-8")
    path = _write(capsys, content, "en", tmp_path / "en.docx", "--since", "HEAD")
    document = docx.Document(str(path))
    body = document.element.body
    for ins in list(body.iter(qn("w:ins"))):  # Word's "reject": insertions out …
        ins.getparent().remove(ins)
    for deleted in list(body.iter(qn("w:del"))):  # … deletions back as text
        for t in deleted.iter(qn("w:delText")):
            t.tag = qn("w:t")
        parent = deleted.getparent()
        for child in list(deleted):
            parent.insert(parent.index(deleted), child)
        parent.remove(deleted)
    document.save(str(path))
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply")
    assert code == 0, err
    assert out.splitlines()[-1].endswith("written: migrants_rights.well_developed[1]")
    assert en.read_text(encoding="utf-8") == original


@pytest.mark.parametrize("slug,lang", [("ruritania", "ar"), ("ruritania-2", "ar"),
                                       ("strelsau", "en")])
def test_written_and_read_back_unreviewed_changes_nothing(tmp_path, capsys, slug, lang):
    content = tmp_path / "examples"
    shutil.copytree(DEFAULT_CONTENT.parent / "examples", content)
    before = _snapshot(content)
    path = tmp_path / "x.docx"
    assert main(["docx", slug, "--lang", lang, "--content", str(content), "-o", str(path)]) == 0
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply")
    assert code == 0 and out.splitlines()[-1].endswith("nothing to apply"), (out, err)
    assert _snapshot(content) == before
    if lang == "ar":  # right to left: paragraphs and runs
        with zipfile.ZipFile(path) as zf:
            body = etree.fromstring(zf.read("word/document.xml"))
        assert body.xpath("//w:p/w:pPr/w:bidi", namespaces=W)
        assert body.xpath("//w:r/w:rPr/w:rtl", namespaces=W)


def _as_reviewer(path: Path) -> None:
    """What a reviewer does in Word, written with python-docx: a comment on
    one finding, and in it a tracked insertion and a tracked deletion."""
    document = docx.Document(str(path))
    sdt = _control(document, "migrants_rights.potential[3]")
    p = sdt.find(f"{qn('w:sdtContent')}/{qn('w:p')}")
    paragraph = docx.text.paragraph.Paragraph(p, document.part)
    document.add_comment(paragraph.runs[0], text="Please cite the Labour Code here.",
                         author=REVIEWER, initials="ML")
    run = [r for r in p.findall(qn("w:r")) if r.find(qn("w:t")) is not None][-1]
    after = list(p)[list(p).index(run) + 1:]  # the comment's reference, after the text
    text = run.find(qn("w:t")).text
    assert text.endswith("von bestimmten Erwerbstätigkeiten ausgeschlossen werden können.")
    keep, cut = text.split("von bestimmten ")
    run.find(qn("w:t")).text = keep + "von bestimmten "
    deleted = etree.SubElement(p, qn("w:del"), {qn("w:id"): "901", qn("w:author"): REVIEWER,
                                               qn("w:date"): WHEN})
    r = etree.SubElement(deleted, qn("w:r"))
    t = etree.SubElement(r, qn("w:delText"))
    t.text = "Erwerbstätigkeiten"
    inserted = etree.SubElement(p, qn("w:ins"), {qn("w:id"): "902", qn("w:author"): REVIEWER,
                                                 qn("w:date"): WHEN})
    r = etree.SubElement(inserted, qn("w:r"))
    t = etree.SubElement(r, qn("w:t"))
    t.text = "reglementierten Berufen"
    rest = etree.SubElement(p, qn("w:r"))
    t = etree.SubElement(rest, qn("w:t"))
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    t.text = cut[len("Erwerbstätigkeiten"):]
    for element in after:
        p.append(element)
    document.save(str(path))


def test_a_reviewers_comment_and_changes_come_back_located_and_apply_to_that_finding(
        tmp_path, capsys):
    content = _content(tmp_path)
    de = content / "kazakhstan" / "de.yaml"
    before = de.read_text(encoding="utf-8")
    path = _write(capsys, content, "de", tmp_path / "de.docx")
    _as_reviewer(path)
    line = next(n for n, text in enumerate(before.splitlines(), 1)
                if "Das Recht von Migrantinnen und Migranten auf Arbeit" in text)
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content)
    assert code == 0, err
    where = f"{de}:{line}: [{REVIEWER}, 2027-02-03]"
    lines = out.splitlines()
    assert f"{where} deleted “Erwerbstätigkeiten”" in lines, out
    assert f"{where} inserted “reglementierten Berufen”" in lines, out
    assert any(x.startswith(f"{de}:{line}: [{REVIEWER}, ") and
               x.endswith("comment: Please cite the Labour Code here.") for x in lines), out
    assert de.read_text(encoding="utf-8") == before  # listing writes nothing
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply")
    assert code == 0, err
    assert out.splitlines()[-1].endswith("1 text(s) written: migrants_rights.potential[3]")
    after = de.read_text(encoding="utf-8")
    old, new = before.splitlines(), after.splitlines()
    assert len(old) == len(new)
    assert [(n, a, b) for n, (a, b) in enumerate(zip(old, new), 1) if a != b] == [
        (line + 1, "        Maße eingeschränkt, da sie von bestimmten Erwerbstätigkeiten",
         "        Maße eingeschränkt, da sie von bestimmten reglementierten Berufen")]
    assert main(["check", "--content", str(content)]) == 0
    assert "de.yaml" not in capsys.readouterr().err


# ---------------------------------------------------------------- bad files

def _bad(tmp_path, capsys, spoil, *more) -> tuple[str, Path]:
    content = _content(tmp_path)
    path = _write(capsys, content, "de", tmp_path / "de.docx")
    spoil(path)
    before = _snapshot(content)
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content, "--apply",
                          *more)
    assert code == 1, (out, err)
    assert _snapshot(content) == before and "Traceback" not in err
    return err, path


def _identified(ident: str):
    def spoil(path: Path) -> None:
        document = docx.Document(str(path))
        document.core_properties.identifier = ident
        document.save(str(path))
    return spoil


@pytest.mark.parametrize("ident,more,expected", [
    ("mgi-report:ruritania/ar.yaml", (), "this document is of ruritania/ar.yaml, which"),
    ("mgi-report:kazakhstan/ru.yaml", (), (":migrants_rights.well_developed[1]: the paragraph "
     "no longer matches")),
    ("mgi-report:kazakhstan/de.yaml", ("--lang", "ru"), ("this document is of "
     "kazakhstan/de.yaml, not kazakhstan/ru.yaml")),
    ("", (), "not a review document of mgi-report"),
])
def test_another_profile_or_language(tmp_path, capsys, ident, more, expected):
    def spoil(path: Path) -> None:
        _identified(ident)(path)
        document = docx.Document(str(path))
        for tag in document.element.body.iter(qn("w:tag")):  # the title's too
            if tag.get(qn("w:val")).startswith("mgi-report:"):
                tag.set(qn("w:val"), ident)
        document.save(str(path))
    err, path = _bad(tmp_path, capsys, spoil, *more)
    assert expected in err, err
    assert err.startswith(str(path) + ":")


def test_paragraphs_that_no_longer_match(tmp_path, capsys):
    def spoil(path: Path) -> None:
        document = docx.Document(str(path))
        sdt = _control(document, "whole_of_government.well_developed[1]")
        for t in sdt.iter(qn("w:t")):
            t.text = "Ganz etwas anderes."
            break
        for t in list(sdt.iter(qn("w:t")))[1:]:
            t.text = ""
        gone = _control(document, "partnerships.potential[1]")
        gone.getparent().remove(gone)
        document.save(str(path))
    err, path = _bad(tmp_path, capsys, spoil)
    assert f"{path}:whole_of_government.well_developed[1]: the paragraph no longer matches" \
        in err
    assert f"{path}:partnerships.potential[1]: the paragraph of this text" in err
    assert "2 problems in the content" in err


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(wordin, "MAX_UNZIPPED", 2_000_000)

    def spoil(path: Path) -> None:
        with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("word/media/zeros.bin", b"\0" * 3_000_000)
    err, path = _bad(tmp_path, capsys, spoil)
    assert f"{path}:1:1: the zip holds" in err and "(a zip bomb?)" in err


def test_a_doctype_inside_the_docx_is_refused(tmp_path, capsys):
    def spoil(path: Path) -> None:
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr("word/evil.xml", b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">'
                        b']><x>&e;</x>')
    err, path = _bad(tmp_path, capsys, spoil)
    assert f"{path}:1:1: a DOCTYPE or entity declaration in word/evil.xml: refused" in err


def test_the_identity_also_survives_in_the_title_control(tmp_path, capsys):
    """A program that drops the core properties' identifier leaves the title's tag."""
    content = _content(tmp_path)
    path = _write(capsys, content, "de", tmp_path / "de.docx")
    document = docx.Document(str(path))
    document.core_properties.identifier = ""
    document.save(str(path))
    code, out, err = _cli(capsys, "docx", "import", path, "--content", content)
    assert code == 0 and "no comment and no tracked change" in out, err


@pytest.mark.parametrize("data,expected", [
    (b"not a zip at all", "not a Word document (.docx is a zip)"),
    (None, "not a Word document: the zip has no word/document.xml"),
])
def test_not_a_docx(tmp_path, capsys, data, expected):
    def spoil(path: Path) -> None:
        if data is not None:
            path.write_bytes(data)
            return
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            zf.writestr("hello.txt", "hi")
        path.write_bytes(buffer.getvalue())
    err, path = _bad(tmp_path, capsys, spoil)
    assert f"{path}:1:1: {expected}" in err, err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not "
                    "installed; make test does not install it (too large)")
def test_a_round_trip_through_libreoffice(tmp_path, capsys):  # pragma: no cover
    content = _content(tmp_path)
    path = _write(capsys, content, "de", tmp_path / "de.docx")
    out = tmp_path / "lo"
    subprocess.run(["soffice", "--headless", "--convert-to", "docx", "--outdir", str(out),
                    str(path)], check=True, timeout=120)
    code, _stdout, err = _cli(capsys, "docx", "import", out / "de.docx", "--content", content)
    assert code == 0, err


def test_a_fifo_is_refused_without_being_opened(tmp_path, capsys):
    def spoil(path: Path) -> None:  # a reader would wait on it for ever
        path.unlink()
        os.mkfifo(path)
    err, path = _bad(tmp_path, capsys, spoil)
    assert f"{path}:1:1: cannot read the file: it is a FIFO, not a regular file" in err, err
