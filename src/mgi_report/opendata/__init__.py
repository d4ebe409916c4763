"""Stage 6, opendata: a profile's data for other tools, beside its PDF.

One profile's data in one language as a JSON-ready value (``profile``): its
facts, the domains' findings with their identifiers, texts (plain and HTML,
``texts``), sources and GCM objectives, the key data, the key sources and a
follow-up's changes since its baseline (``updates``); the same as JSON or as
CSV tables (``tables``); the cross-profile table of findings per GCM objective
(``gcm``); and the command `export` that reads, makes and writes them
(``command``). ``build --all`` writes each profile's JSON beside its PDFs.
"""
