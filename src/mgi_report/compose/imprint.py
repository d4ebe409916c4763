"""What the imprint and the cover print of the publication's facts
(``content.publication``): the programme's sentence with its research partner,
the funders, the partner's disclaimer, the methodology, IOM's mission, the
acknowledgements, the cover photograph and its credit, the publisher's block.

A fact's name prints as the language file's ``fact_names`` gives it, else as
the catalogs translate it, else as written. Only the facts the content gives
are printed: no funder, no funder sentence.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from babel.lists import format_list
from markupsafe import Markup

from ..text import markup
from . import drawings
from .job import Job

N_ = str  # marks a catalog string

#: IOM's mission, printed in every profile (the programme is IOM's).
MISSION = N_(
    "IOM is committed to the principle that humane and orderly migration benefits migrants "
    "and society. As an intergovernmental organization, IOM acts with its partners in the "
    "international community to: assist in meeting the operational challenges of migration; "
    "advance understanding of migration issues; encourage social and economic development "
    "through migration; and uphold the human dignity and well-being of migrants.")


def fact_name(text: str, doc, tr) -> str:
    """A fact's name (a funder, the publisher, a credit, an address line) as
    ``doc``'s language prints it: its ``fact_names``, else the catalogs, else
    as written."""
    return doc.fact_names.get(text) or tr.gettext(text)


def facts(job: Job, tr) -> dict[str, Any]:
    """The facts' texts for ``parts/imprint.html`` and ``parts/cover.html``."""
    _ = tr.gettext
    f = job.profile.facts
    lang = job.lang

    def name(text: str) -> str:
        return fact_name(text, job.doc, tr)

    partner = f.research_partner
    if partner is not None:
        about = _("The Migration Governance Indicators (MGI) initiative is a policy-"
                  "benchmarking programme led by the International Organization for Migration "
                  "(IOM) and implemented with the support of %(partner)s.") % {
            "partner": name(partner.name)}
    else:
        about = _("The Migration Governance Indicators (MGI) initiative is a policy-"
                  "benchmarking programme led by the International Organization for Migration "
                  "(IOM).")
    funded = None
    if f.funders:
        funded = _("Funding is provided by %(funders)s.") % {
            "funders": format_list([name(x) for x in f.funders], locale=lang)}
    disclaimer = None
    if partner is not None and partner.disclaimer is True:
        disclaimer = _("%(partner)s does not accept any responsibility or liability for "
                       "reliance by any person on this report or any of the information, "
                       "opinions or conclusions set out in it.") % {
            "partner": _capital(name(partner.name))}
    elif partner is not None and partner.disclaimer:
        disclaimer = name(partner.disclaimer)
    return {
        "about": about,
        "funded": funded,
        "partner_disclaimer": disclaimer,
        "methodology": _methodology(f.methodology, tr, lang),
        "mission": _(MISSION),
        "acknowledgements": (markup.paragraphs(job.doc.acknowledgements, job.lang)
                             if job.doc.acknowledgements else None),
        "publisher_block": _block(f.publisher, name, tr),
        "cover_photo": drawings.file_uri(f.cover_photo.file) if f.cover_photo else None,
        "cover_credit": name(f.cover_photo.credit) if f.cover_photo else None,
    }


def _capital(text: str) -> str:
    """A name that opens a sentence: "the Economist …" -> "The Economist …"."""
    return text[:1].upper() + text[1:]


def _methodology(m, tr, lang: str) -> str | None:
    if m is None:
        return None
    from babel.numbers import format_decimal

    return tr.gettext("This profile applies version %(version)s of the MGI methodology "
                      "(number of indicators: %(count)s).") % {
        "version": m.version, "count": format_decimal(m.indicators, locale=lang)}


def _block(pub, name, tr) -> dict[str, Any] | None:
    """The publisher's block, or None if the content gives nothing but a name."""
    if not (pub.address or pub.telephone or pub.email or pub.website):
        return None
    _ = tr.gettext
    rows = [(None, _isolated(name(line))) for line in pub.address]
    if pub.telephone:
        rows.append((_("Tel.:"), Markup('<span dir="ltr">%s</span>') % pub.telephone))
    if pub.email:
        rows.append((_("Email:"), Markup('<span dir="ltr">%s</span>') % pub.email))
    if pub.website:
        rows.append((_("Website:"), Markup('<span dir="ltr">%s</span>') % pub.website))
    return {"rows": rows}


def _isolated(text: str) -> str | Markup:
    """An address line with no right-to-left letter, set left to right (in an
    Arabic imprint, "12 Königstrasse" would otherwise print "Königstrasse 12")."""
    if any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text):
        return text
    return Markup('<span dir="ltr">%s</span>') % text
