"""Stage 8, batch: every profile of a release in one run.

Planning and the warm workers (``run``, ``workers``), what a release is made of
and what of it is built (``manifest``), shards and their merge (``merge``).
"""
