"""Stage 9, workbench: the editors' and translators' commands around a build.

``check`` (warnings beyond errors), translation review (``translation``),
earlier versions from git and the review PDF (``history``), ``stats``, ``new``
(a starting profile) and ``proof`` (contact sheets).
"""
