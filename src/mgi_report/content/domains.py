"""The six MGI domains: their order, numbers, names and colours.

Numbers and order come from here, never from content. Names and
descriptions are English msgids, translated through the message catalogs.
"""

from __future__ import annotations

from dataclasses import dataclass


def luminance(rgb: str) -> float:
    """WCAG relative luminance of ``#rrggbb``."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (int(rgb[i:i + 2], 16) / 255 for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


SMALL_TEXT_CONTRAST = 4.5  # WCAG AA for text under 18 pt (14 pt bold)


def deepened(rgb: str, ratio: float = SMALL_TEXT_CONTRAST + 0.1) -> tuple[str, float]:
    """``rgb`` darkened (each channel scaled by the same factor) until white on
    it has at least ``ratio``; the colour and the factor (1: unchanged)."""
    factor = 1.0
    channels = [int(rgb[i:i + 2], 16) for i in (1, 3, 5)]
    while True:
        out = "#" + "".join(f"{round(c * factor):02x}" for c in channels)
        if contrast(out, "#ffffff") >= ratio or factor <= 0:
            return out, round(factor, 2)
        factor -= 0.01


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class DomainSpec:
    key: str
    number: int
    short_name: str
    long_name: str
    description: str
    #: Screen colour, "#rrggbb": one colour per domain wherever it shows (the
    #: wheel, the header band, the bullets and markers, the contents, the
    #: diagrams), so deep enough that small white text on it reads at 4.5:1
    #: (issue 21; 2, 3 and 6 were brighter, their band a darker shade beside them).
    rgb: str
    cmyk: tuple[float, float, float, float]  # print colour, 0..1

    @property
    def deep_rgb(self) -> str:
        """The colour small white text is set on (the domain's header, its
        number in the contents, its box in the framework diagram): the domain
        colour darkened until white on it reads at 4.5:1 (WCAG AA). Every
        domain's colour is that deep already (one colour per domain), so this
        is ``rgb``; it stays the check that keeps it so."""
        return deepened(self.rgb)[0]

    @property
    def deep_cmyk(self) -> tuple[float, float, float, float]:
        """The print colour of ``deep_rgb``: the domain's inks with as much more
        black as the screen colour was darkened."""
        c, m, y, k = self.cmyk
        return (c, m, y, round(min(1.0, k + (1 - deepened(self.rgb)[1])), 3))


DOMAINS: tuple[DomainSpec, ...] = (
    DomainSpec(
        "migrants_rights", 1,
        N_("Migrants' rights"),
        N_("Adherence to international standards and fulfilment of migrants' rights"),
        N_("Indicators in this domain look at the extent to which migrants have the same "
           "status as citizens in terms of access to basic social services such as health, "
           "education and social security. They also describe migrants' rights to family "
           "reunification, to work, and to residency and citizenship. The ratification of "
           "the main international conventions is also included."),
        "#1f5fa8", (0.88, 0.50, 0.0, 0.10),
    ),
    DomainSpec(
        "whole_of_government", 2,
        N_("Whole-of-government approach"),
        N_("\u201cWhole-of-government\u201d approach to migration policies"),
        N_("Indicators in this domain assess countries' institutional, legal and regulatory "
           "frameworks related to migration policies. Domain 2 also covers the existence of "
           "national migration strategies that are in line with development policies and "
           "approaches, as well as institutional transparency and coherence in relation to "
           "migration management. This area also investigates the extent to which "
           "governments collect and use migration data."),
        "#b25e19", (0.0, 0.58, 0.92, 0.23),
    ),
    DomainSpec(
        "partnerships", 3,
        N_("Partnerships"),
        N_("Engagement with partners to address migration-related issues"),
        N_("This domain focuses on countries' efforts to cooperate on migration-related "
           "issues with other States and with relevant non-governmental actors, including "
           "civil society organizations and the private sector. Cooperation can lead to "
           "improvements in governance by harmonizing and raising standards, intensifying "
           "dialogue and creating structures for overcoming challenges."),
        "#2b8454", (0.80, 0.12, 0.78, 0.18),
    ),
    DomainSpec(
        "wellbeing", 4,
        N_("Well-being of migrants"),
        N_("Advancement of the socioeconomic well-being of migrants and society"),
        N_("This domain includes indicators on countries' policies for managing the "
           "socioeconomic well-being of migrants, such as the recognition of migrants' "
           "educational and professional qualifications, provisions regulating student "
           "migration and the existence of bilateral labour agreements between countries. "
           "The indicators also focus on measures and strategies related to the engagement "
           "of diaspora members and on migrants' cross-border remittances."),
        "#c0392b", (0.10, 0.92, 0.88, 0.05),
    ),
    DomainSpec(
        "mobility_crises", 5,
        N_("Mobility dimensions of crises"),
        N_("Mobility dimensions of crises"),
        N_("This domain studies the type and level of preparedness of countries when they "
           "are faced with mobility dimensions of crises, linked either to disasters, the "
           "environment and/or conflict. The questions are used to identify the processes "
           "in place for nationals and non-nationals before, during and after disasters, "
           "including whether humanitarian assistance is equally available to migrants as "
           "it is to citizens."),
        "#6c4a9e", (0.62, 0.78, 0.0, 0.05),
    ),
    DomainSpec(
        "safe_orderly_regular_migration", 6,
        N_("Safe, orderly and regular migration"),
        N_("Safe, orderly and regular migration"),
        N_("This domain analyses countries' approach to migration management in terms of "
           "border control and enforcement, admission criteria for migrants, preparedness "
           "and resilience in the case of significant and unexpected migration flows, as "
           "well as the fight against trafficking in persons and smuggling of migrants. It "
           "also assesses efforts and incentives to help integrate returning citizens."),
        "#128093", (0.85, 0.10, 0.30, 0.12),
    ),
)

DOMAIN_KEYS: tuple[str, ...] = tuple(d.key for d in DOMAINS)

#: The profile's main colour (cover, headings): deep blue.
BRAND_RGB = "#0d2f4f"
BRAND_CMYK = (1.0, 0.70, 0.20, 0.55)
