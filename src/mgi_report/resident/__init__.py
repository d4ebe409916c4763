"""Stage 10, resident: a warm renderer that single builds hand their work to.

What server and client agree on (``protocol``), the server (``server``) and the
rebuild on every save (``watch``).
"""
