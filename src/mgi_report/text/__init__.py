"""Stage 2, text: what is done to a string before it is set.

Message catalogs and locale formats (``i18n``), the inline markup of findings
(``markup``), the non-breaking spaces a typesetter adds (``joins``), the
hyphenation rules (``hyphenate``), a paragraph's lines set again where
loose (``lines``), the left-to-right runs isolated in right-to-left text
(``bidi``) and the characters content may hold
(``printable``).
"""
