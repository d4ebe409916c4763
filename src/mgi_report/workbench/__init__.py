"""Stage 9, workbench: the editors' and translators' commands around a build.

``check`` (warnings beyond errors), translation review (``translation``),
earlier versions from git and the review PDF (``history``), ``stats``, ``new``
(a starting profile) and ``proof`` (contact sheets); a translation exchanged with
other programs: as units (``units``) whose inline markup is codes (``inline``),
XLIFF 1.2 out and in (``xliff``), a Word document for review out (``word``)
and in (``wordin``), a text read as plain characters tied to its markup
(``plain``), written back into the YAML (``writeback``), the commands
(``exchange``).
"""
