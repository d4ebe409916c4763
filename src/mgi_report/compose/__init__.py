"""Stage 5, compose: a profile's HTML document from its content and layout.

What one PDF is made of (``job``), the sandboxed Jinja templates
(``templates``), the values each chapter shows (``profile``, ``chapters``; the
publication's facts, ``imprint``),
the drawn figures (``wheel``, ``figures``; ``drawings``: those one profile
shows), titles tied and balanced (``titles``), the review PDF's tracked
changes (``tracked``), a local profile's title and texts (``local``), a
profile's extra chapters (``extra``), a follow-up's updates chapter
(``updates``) and the findings' GCM markers and annex (``gcm``).
"""
