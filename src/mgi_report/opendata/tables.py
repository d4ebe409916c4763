"""The data written out: JSON (one object, keys in their fixed order, UTF-8,
indented by 2) or CSV tables a spreadsheet opens (``TABLES``: one row per
finding, per key figure, per source, per change since the baseline).

A CSV file is UTF-8 with a byte-order mark (so that a spreadsheet reads it as
UTF-8), its first row the columns' names. A cell holds the JSON's value: a
number as JSON writes it, nothing for null, ``true``/``false``, and a list of
numbers or identifiers joined by ``;`` (``gcm``: ``5;15``); the texts of the
sources a finding cites are one line each (``citation_texts``). Read back with
Python's ``csv`` module (``encoding="utf-8-sig"``), each cell is the JSON's value
written so (README, "Open data").
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from typing import Any

FORMATS = ("json", "csv")


def as_json(value: Any) -> bytes:
    """One JSON object, keys in the order given, UTF-8, indented by 2."""
    return (json.dumps(value, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def cell(value: Any) -> str:
    """A JSON value as a CSV cell (see the module's docstring)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join(cell(v) for v in value)
    return str(value)


def _profile(data: dict) -> dict[str, Any]:
    return {"profile": data["profile"]["slug"], "language": data["profile"]["language"]}


def _findings(data: dict) -> Iterator[dict[str, Any]]:
    for d in data["domains"]:
        for f in d["findings"]:
            yield {**_profile(data), "domain": d["number"], "domain_key": d["key"],
                   "domain_name": d["name"], "id": f["id"], "part": f["part"],
                   "area": f["area"], "area_title": f["area_title"], "number": f["number"],
                   "text": f["text"], "html": f["html"], "gcm": f["gcm"],
                   "citations": [c["id"] for c in f["citations"]],
                   "citation_texts": "\n".join(c["text"] for c in f["citations"])}


def _key_data(data: dict) -> Iterator[dict[str, Any]]:
    for item in data["key_data"]:
        for figure in item["values"]:
            yield {**_profile(data), "indicator": item["indicator"], "name": item["name"],
                   "unit": item["unit"], "year": figure["year"], "value": figure["value"],
                   "source": item["source"], "source_as_written": item["source_as_written"]}


def _sources(data: dict) -> Iterator[dict[str, Any]]:
    for s in data["sources"]:
        yield {**_profile(data), **s}


def _changes(data: dict) -> Iterator[dict[str, Any]]:
    for c in data["changes"] or ():
        yield {**_profile(data), **c}


#: Each CSV table: its columns, and its rows from the profile's data.
TABLES: dict[str, tuple[tuple[str, ...], Callable[[dict], Iterator[dict[str, Any]]]]] = {
    "findings": (("profile", "language", "domain", "domain_key", "domain_name", "id", "part",
                  "area", "area_title", "number", "text", "html", "gcm", "citations",
                  "citation_texts"), _findings),
    "key_data": (("profile", "language", "indicator", "name", "unit", "year", "value",
                  "source", "source_as_written"), _key_data),
    "sources": (("profile", "language", "id", "text", "html", "short"), _sources),
    "changes": (("profile", "language", "domain", "domain_key", "kind", "id", "part", "area",
                 "area_title", "number", "text", "html", "before", "before_html"), _changes),
}


def as_csv(columns: tuple[str, ...], rows: Iterator[dict[str, Any]]) -> bytes:
    """A CSV table: its columns' names, then a line per row (RFC 4180 quoting)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row[c]) for c in columns])
    return buf.getvalue().encode("utf-8-sig")


def profile_csv(data: dict, table: str = "findings") -> bytes:
    """One of the profile's tables (``TABLES``) as CSV."""
    columns, rows = TABLES[table]
    return as_csv(columns, rows(data))
