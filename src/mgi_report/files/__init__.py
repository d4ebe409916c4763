"""Stage 1, files: how the program touches the file system.

One read of each input per build (``reads``), every write atomic and locked
(``writes``), the cache folder's entries as checked hints (``cachefile``), and
the one rule for where a command may write (``outputs``). Names from outside
are shown escaped (``names``). Nothing here knows what a profile is.
"""
