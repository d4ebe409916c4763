"""Stage 4, content: the YAML files of a country, read once and validated.

Reading a file into located YAML nodes (``yamlsource``), typed values from
them (``values``, ``facts``), the model they make (``model``, ``domains``),
the 23 objectives of the Global Compact for Migration (``objectives``),
parsing one file (``parse``; a logo's checks, ``logo``; the publication's
facts and the series' publisher.yaml, ``publication``), the tree of countries
and languages, each file read once (``tree``), one walk over a language file's
texts (``walk``) and what changed between two versions of one (``changes``);
a file as it was at a git revision (``revisions``); the profile's kind, level,
place and extra chapters (``series``); a follow-up profile's keys
(``followup``) and its baseline, read (``baseline``); a finding's GCM
objectives and identifier (``tags``); texts put back into a language
file, every other byte kept (``rewrite``).
"""
