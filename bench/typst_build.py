"""Compile the same profiles with Typst, for scale: run as a script, prints JSON.

    python bench/typst_build.py CONTENT_DIR CACHE_DIR OUT_DIR

Each profile's words come from the same content files and message catalogs
(through mgi-report's own validation and composition), its wheels are the
same SVG files from the wheel cache; bench/typst/profile.typ lays them out.
One typst.Compiler is reused, like a warm worker; times are per PDF.
Where typst cannot run (not installed, an API this script does not know, a
failed compile), it prints {"unavailable": "the reason, one line"} instead.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
TAG = re.compile(r"<[^>]+>")


def _plain(markup) -> str:
    return html.unescape(TAG.sub("", str(markup)))


def _svg(uri, root: Path) -> str:
    if isinstance(uri, dict):  # {"src": data URI, "size": ..., "labels": ...}
        uri = uri["src"]
    data = base64.b64decode(uri.split(",", 1)[1])
    name = f"wheels/{hashlib.sha256(data).hexdigest()[:16]}.svg"
    path = root / name
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return "/" + name


def data(target, content: Path, cache: Path, root: Path) -> dict:
    from mgi_report import pipeline as build
    from mgi_report.compose import profile as compose
    from mgi_report.text import i18n

    job = build.prepare(build.Request(target.country, target.lang, content, None,
                                      target.edition, cache=cache))
    ctx = compose.context(job)
    gettext = i18n.translations(target.lang).gettext

    def _(msgid: str, **kw) -> str:
        return gettext(msgid) % kw if kw else gettext(msgid)
    about = [_("The Migration Governance Indicators (MGI) initiative is a policy-benchmarking "
               "programme led by the International Organization for Migration (IOM) and "
               "implemented with the support of the Economist Intelligence Unit. Funding is "
               "provided by the Government of Sweden."),
             _("The Migration Governance Indicators (MGI) help countries assess the "
               "comprehensiveness of their migration governance structures and identify "
               "priorities for the way forward. The MGI are not a ranking of countries.")]
    return {
        "lang": target.lang, "brand": ctx["brand"], "country": ctx["country"],
        "title": _("Migration Governance Profile"),
        "programme": _("Migration Governance Indicators"),
        "publisher": ctx["publisher"], "month_year": ctx["month_year"],
        "page_of": _("Page %(page)s of %(pages)s", page="{page}", pages="{pages}"),
        "contents": _("Contents"), "introduction": _("Introduction"),
        "about": _("About this publication"), "about_text": about,
        "key_findings": _("Key findings"), "sources_title": _("Key sources"),
        "well": _("Well-developed areas"),
        "potential": _("Areas with potential for further development"),
        "no_well": _("No well-developed areas were identified in this domain."),
        "no_potential": _("No areas with potential for further development were "
                          "identified in this domain."),
        "caption": _("The six domains of the Migration Governance Indicators"),
        "imprint": [_("The opinions expressed in this report are those of the authors and do "
                      "not necessarily reflect the views of the International Organization "
                      "for Migration (IOM).")] + about,
        "facts": [[_("Country code"), ctx["iso3"]], [_("Published"), ctx["month_year"]],
                  [_("Publisher"), ctx["publisher"]]],
        "intro": [_plain(p) for p in ctx["introduction"] or []],
        "wheel_alt": _("The six domains of the Migration Governance Indicators"),
        "wheel_full": _svg(ctx["wheel_full"], root),
        "wheel_cover": _svg(ctx["wheel_cover"], root),
        "domains": [{
            "label": _("Domain %(n)s", n=dom["number"]), "long_name": dom["long_name"],
            "description": dom["description"], "color": dom["color"],
            "wheel": _svg(dom["wheel"], root), "wheel_alt": dom["short_name"],
            "well": [_plain(f) for f in dom["well_developed"]],
            "potential": [_plain(f) for f in dom["potential"]],
        } for dom in ctx["domains"]],
        "sources": [_plain(s) for s in ctx["sources"]],
        "back": _("Migration Governance Profile") + ": " + ctx["country"],
    }


class Unavailable(Exception):
    """Typst cannot be run here; the message is the one-line reason."""


def _import_typst():
    """The installed typst package. This script's folder holds a folder named
    ``typst`` (the template); with the folder on sys.path, ``import typst``
    finds it as an empty namespace package wherever the real package is missing
    (that was the "no attribute 'Compiler'" of earlier runs): leave it out."""
    here = str(HERE)
    sys.path[:] = [p for p in sys.path if str(Path(p or ".").resolve()) != here]
    sys.modules.pop("typst", None)
    try:
        import typst
    except ImportError as exc:
        raise Unavailable(f"the typst package is not installed ({exc})") from exc
    if getattr(typst, "__file__", None) is None:
        raise Unavailable(f"`import typst` found no package, only the folder(s) "
                          f"{list(getattr(typst, '__path__', []))}")
    return typst


def _compile_function(typst, template: Path, root: Path, fonts: Path):
    """A function payload -> PDF bytes for the installed typst's API, and a name
    for the API used. Versions 0.12 and later: one ``typst.Compiler`` reused for
    every PDF (a warm compiler), ``sys_inputs`` per ``compile``; where
    ``compile`` takes no ``pdf_standards`` (or not "ua-1"), without it; without
    ``Compiler``, the module's ``typst.compile`` per PDF."""
    if hasattr(typst, "Compiler"):
        try:
            compiler = typst.Compiler(str(template), root=str(root), font_paths=[str(fonts)],
                                      ignore_system_fonts=True)
        except TypeError:
            compiler = typst.Compiler(str(template), root=str(root), font_paths=[str(fonts)])
        variants = [
            ("Compiler.compile(sys_inputs, pdf_standards=ua-1)",
             lambda p: compiler.compile(format="pdf", sys_inputs={"data": p},
                                        pdf_standards=["ua-1"])),
            ("Compiler.compile(sys_inputs)",
             lambda p: compiler.compile(format="pdf", sys_inputs={"data": p})),
            ("Compiler(sys_inputs) per PDF",  # sys_inputs only when made (before 0.12)
             lambda p: typst.Compiler(str(template), root=str(root), font_paths=[str(fonts)],
                                      sys_inputs={"data": p}).compile()),
        ]
    elif hasattr(typst, "compile"):
        def once(p):
            try:
                return typst.compile(str(template), root=str(root), font_paths=[str(fonts)],
                                     format="pdf", sys_inputs={"data": p})
            except TypeError:
                return typst.compile(str(template), root=str(root), font_paths=[str(fonts)],
                                     sys_inputs={"data": p})
        variants = [("typst.compile(sys_inputs) per PDF", once)]
    else:
        raise Unavailable(f"typst {_version()} has neither Compiler nor compile")
    return variants


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:200]


def main(content: Path, cache: Path, out: Path) -> dict:
    typst = _import_typst()

    from mgi_report.batch import run as batch
    from mgi_report.resources import FONTS

    out.mkdir(parents=True, exist_ok=True)
    targets = batch.plan(batch.Options(content, out, ("screen",)))
    payloads = [json.dumps(data(t, content, cache, out)) for t in targets]  # read first
    template = out / "profile.typ"
    template.write_text((HERE / "typst" / "profile.typ").read_text(encoding="utf-8"),
                        encoding="utf-8")
    t0 = time.perf_counter()
    variants = _compile_function(typst, template, out, FONTS)
    # the first variant the installed typst accepts sets the first PDF
    reasons = []
    for api, compile_pdf in variants:
        w = time.perf_counter()
        try:
            pdf = compile_pdf(payloads[0])
        except Exception as exc:  # noqa: BLE001 - try the next, then say why
            reasons.append(f"{api}: {_first_line(exc)}")
            continue
        break
    else:
        raise Unavailable("; ".join(reasons))
    if not isinstance(pdf, (bytes, bytearray)):
        raise Unavailable(f"{api} returned {type(pdf).__name__}, not the PDF's bytes")
    times, sizes = [time.perf_counter() - w], [len(pdf)]
    (out / targets[0].name).write_bytes(pdf)
    for t, payload in zip(targets[1:], payloads[1:]):
        w = time.perf_counter()
        pdf = compile_pdf(payload)
        (out / t.name).write_bytes(pdf)
        times.append(time.perf_counter() - w)
        sizes.append(len(pdf))
    total = time.perf_counter() - t0
    return {"docs": len(targets), "first": times[0], "median": statistics.median(times),
            "total": total, "median_bytes": statistics.median(sizes),
            "version": _version(), "api": api}


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("typst")
    except PackageNotFoundError:
        return "?"


if __name__ == "__main__":
    try:
        result = main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
    except Unavailable as exc:
        result = {"unavailable": str(exc)}
    except Exception as exc:  # noqa: BLE001 - one line in the table, not a traceback
        import traceback

        traceback.print_exc()  # on stderr, for whoever runs it by hand
        result = {"unavailable": _first_line(exc)}
    print(json.dumps(result))
