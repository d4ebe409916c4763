"""Stage 9, batch: every profile of a release in one run.

What a run builds (``plan``), the run itself (``run``), each content file read
once and handed on (``reading``) to its warm workers (``workers``); what an
output is made from (``digests``) and what of a release
is built (``manifest``); shards and their merge (``merge``); what it says on a
terminal (``progress``) and the command ``build --all`` (``command``).
"""
