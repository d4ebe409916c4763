"""Stage 7, editions: the screen, print and archive editions of a laid-out profile.

What each edition is, as data (``specs``), what an edition changes in the
layout and the PDF's options (``document``), the print colours (``colour``),
the last touches to WeasyPrint's PDF (``finishing``) and the content files an
archive edition carries and gives back (``attachments``).
"""
