"""Stage 3, engine: everything that touches WeasyPrint.

Laying out HTML into pages with only the project's own files readable
(``render``), WeasyPrint's private hooks and the tagged structure tree they
feed (``hooks``, ``structure``), the shipped fonts and no others (``fonts``),
whether an image can be drawn (``images``), and what a process loads once and
keeps (``warm``). Nothing here knows what a
profile is; a higher stage hands it HTML.
"""
