"""Compile the same profiles with Typst, for scale: run as a script, prints JSON.

    python bench/typst_build.py CONTENT_DIR CACHE_DIR OUT_DIR

Each profile's words come from the same content files and message catalogs
(through mgi-report's own validation and composition), its wheels are the
same SVG files from the wheel cache; bench/typst/profile.typ lays them out.
One typst.Compiler is reused, like a warm worker; times are per PDF.
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


def main(content: Path, cache: Path, out: Path) -> dict:
    import typst

    from mgi_report.batch import run as batch
    from mgi_report.resources import FONTS

    out.mkdir(parents=True, exist_ok=True)
    targets = batch.plan(batch.Options(content, out, ("screen",)))
    payloads = [json.dumps(data(t, content, cache, out)) for t in targets]  # read first
    template = out / "profile.typ"
    template.write_text((HERE / "typst" / "profile.typ").read_text(encoding="utf-8"),
                        encoding="utf-8")
    t0 = time.perf_counter()
    compiler = typst.Compiler(str(template), root=str(out), font_paths=[str(FONTS)],
                              ignore_system_fonts=True)
    times, sizes = [], []
    for t, payload in zip(targets, payloads):
        w = time.perf_counter()
        pdf = compiler.compile(format="pdf", sys_inputs={"data": payload},
                               pdf_standards=["ua-1"])
        (out / t.name).write_bytes(pdf)
        times.append(time.perf_counter() - w)
        sizes.append(len(pdf))
    total = time.perf_counter() - t0
    return {"docs": len(targets), "first": times[0], "median": statistics.median(times),
            "total": total, "median_bytes": statistics.median(sizes),
            "version": _version()}


def _version() -> str:
    from importlib.metadata import version

    return version("typst")


if __name__ == "__main__":
    print(json.dumps(main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))))
