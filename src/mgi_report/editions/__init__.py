"""Stage 7, editions: the screen, print and archive editions of a laid-out profile.

What each edition is, as data (``specs``), what WeasyPrint draws and the PDF's
options (``document``), the last touches to WeasyPrint's PDF (``finishing``),
the print and archive editions derived from the drawn screen edition
(``derive``), each edition's XMP packet (``xmp``), the print colours
(``colour``) and the content files an archive edition carries and gives back
(``attachments``).
"""
