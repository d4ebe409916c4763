"""The 23 objectives of the Global Compact for Migration, and SDG indicator 10.7.2.

A finding may name the objectives of the Global Compact for Safe, Orderly and
Regular Migration (GCM; General Assembly resolution 73/195, annex) that it
informs, by number (1-23). Numbers and order come from here; each title is the
resolution's English wording, an msgid translated through the message catalogs
(the resolution's official wording in the other UN languages).
"""

from __future__ import annotations

from dataclasses import dataclass

from .domains import N_

#: The compact's name, as the resolution gives it.
GCM_NAME = N_("Global Compact for Safe, Orderly and Regular Migration")

#: For the annex: the six MGI domains and SDG indicator 10.7.2.
SDG_10_7_2 = N_(
    "The six MGI domains are the six sub-domains of Sustainable Development Goal (SDG) "
    "indicator 10.7.2, \u201cNumber of countries with migration policies that facilitate "
    "orderly, safe, regular and responsible migration and mobility of people\u201d, of which "
    "IOM and the United Nations Department of Economic and Social Affairs are co-custodians. "
    "A country's MGI profile can therefore inform its reporting on SDG target 10.7 as "
    "well as on the Global Compact for Migration.")


@dataclass(frozen=True)
class Objective:
    number: int
    title: str  # English msgid


_TITLES = (
    N_("Collect and utilize accurate and disaggregated data as a basis for evidence-based "
       "policies"),
    N_("Minimize the adverse drivers and structural factors that compel people to leave "
       "their country of origin"),
    N_("Provide accurate and timely information at all stages of migration"),
    N_("Ensure that all migrants have proof of legal identity and adequate documentation"),
    N_("Enhance availability and flexibility of pathways for regular migration"),
    N_("Facilitate fair and ethical recruitment and safeguard conditions that ensure "
       "decent work"),
    N_("Address and reduce vulnerabilities in migration"),
    N_("Save lives and establish coordinated international efforts on missing migrants"),
    N_("Strengthen the transnational response to smuggling of migrants"),
    N_("Prevent, combat and eradicate trafficking in persons in the context of "
       "international migration"),
    N_("Manage borders in an integrated, secure and coordinated manner"),
    N_("Strengthen certainty and predictability in migration procedures for appropriate "
       "screening, assessment and referral"),
    N_("Use migration detention only as a measure of last resort and work towards "
       "alternatives"),
    N_("Enhance consular protection, assistance and cooperation throughout the migration "
       "cycle"),
    N_("Provide access to basic services for migrants"),
    N_("Empower migrants and societies to realize full inclusion and social cohesion"),
    N_("Eliminate all forms of discrimination and promote evidence-based public discourse "
       "to shape perceptions of migration"),
    N_("Invest in skills development and facilitate mutual recognition of skills, "
       "qualifications and competences"),
    N_("Create conditions for migrants and diasporas to fully contribute to sustainable "
       "development in all countries"),
    N_("Promote faster, safer and cheaper transfer of remittances and foster financial "
       "inclusion of migrants"),
    N_("Cooperate in facilitating safe and dignified return and readmission, as well as "
       "sustainable reintegration"),
    N_("Establish mechanisms for the portability of social security entitlements and "
       "earned benefits"),
    N_("Strengthen international cooperation and global partnerships for safe, orderly "
       "and regular migration"),
)

OBJECTIVES: tuple[Objective, ...] = tuple(
    Objective(n, title) for n, title in enumerate(_TITLES, start=1))


def objective(n: int) -> Objective:
    """Objective ``n`` (1-23); a ValueError for any other number."""
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= len(OBJECTIVES):
        raise ValueError(f"no GCM objective {n!r}: the objectives are numbered 1 to "
                         f"{len(OBJECTIVES)}")
    return OBJECTIVES[n - 1]
