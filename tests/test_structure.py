"""The house stays legible: stage folders in order, no import circles, a public face.

The package is cut into stages (README, "Architecture"); a stage imports only
from itself and the stages before it, so each can be read (and tested) without
the ones after it. Every import counts, also one inside a function or under
TYPE_CHECKING.
"""

from __future__ import annotations

import ast
import re
import shutil
from pathlib import Path

import pytest

import mgi_report
from mgi_report.batch import digests
from mgi_report.resident import protocol

PACKAGE = Path(mgi_report.__file__).parent

#: The stages, in order: a module may import from its own stage and the ones before.
STAGES = [("errors", "resources"), ("files",), ("text",), ("engine",), ("content",),
          ("compose",), ("opendata",), ("editions",), ("pipeline",),
          ("batch", "workbench", "web"), ("resident",), ("cli",), ("launch",)]
RANK = {name: n for n, names in enumerate(STAGES) for name in names}
#: The longest a module may grow before it is asked whether it holds two things.
MAX_LINES = 450


def modules(root: Path = PACKAGE) -> dict[str, Path]:
    """dotted name (relative to the package; "" for the package itself) -> file."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        if "__pycache__" in path.parts:
            continue
        parts = path.relative_to(root).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(root: Path = PACKAGE) -> dict[str, set[str]]:
    """module -> the package's modules it imports (a package's ``__init__`` is the package)."""
    found = modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in found.items():
        is_package = path.name == "__init__.py"
        here = name.split(".") if name else []
        package = here if is_package else here[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[:len(package) - (node.level - 1)]
                elif (node.module or "").split(".")[0] == "mgi_report":
                    base = []
                    node = ast.ImportFrom(module=node.module.partition(".")[2] or None,
                                          names=node.names, level=0)
                else:
                    continue
                stem = [*base, *(node.module.split(".") if node.module else [])]
                for alias in node.names:
                    whole = ".".join([*stem, alias.name])
                    targets.add(whole if whole in found else ".".join(stem))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] == "mgi_report":
                        targets.add(alias.name.partition(".")[2])
        graph[name] = {t for t in targets if t != name}
    return graph


def stage(module: str) -> int | None:
    return RANK.get(module.split(".")[0]) if module else None


def upward(graph: dict[str, set[str]]) -> list[str]:
    """Every import of a later stage (or of the package's public face) from a module."""
    bad = []
    for name, targets in sorted(graph.items()):
        if not name:
            continue  # the public face: checked by its own test
        for target in sorted(targets):
            if stage(target) is None or stage(target) > stage(name):
                bad.append(f"{name} imports {target or 'the package (mgi_report)'}")
    return bad


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle, each as the list of its modules (a depth-first search)."""
    out, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                out.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return out


def test_every_module_belongs_to_a_stage():
    assert sorted(m for m in modules() if m and stage(m) is None) == []


def test_no_stage_imports_a_later_one():
    assert upward(imports()) == []


def test_the_package_has_no_import_circles():
    assert cycles(imports()) == []


def test_the_checks_find_what_they_look_for(tmp_path):
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    pkg = tmp_path / "pkg"
    (pkg / "content").mkdir(parents=True)
    (pkg / "compose").mkdir()
    (pkg / "content" / "__init__.py").write_text('"""Stage."""\n')
    (pkg / "compose" / "__init__.py").write_text('"""Stage."""\n')
    (pkg / "compose" / "job.py").write_text("from ..content import model\n")
    (pkg / "content" / "model.py").write_text(
        "def f():\n    from ..compose.job import Job\n    from .. import __version__\n")
    graph = imports(pkg)
    assert graph["content.model"] == {"compose.job", ""}
    assert upward(graph) == ["content.model imports the package (mgi_report)",
                             "content.model imports compose.job"]


def test_each_stage_folder_says_what_it_holds():
    """Its __init__ docstring names the stage and every module in the folder, and no
    module the folder does not have."""
    for name, path in modules().items():
        if path.name != "__init__.py" or not name:
            continue
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        assert doc.startswith("Stage "), name
        assert f", {name}:" in doc.split("\n")[0], name
        named = set(re.findall(r"``(\w+)``", doc))
        present = {p.stem for p in path.parent.glob("*.py") if p.stem != "__init__"}
        assert named == present, (name, sorted(named ^ present))


def test_no_module_grows_past_the_limit():
    long = {m: n for m, p in modules().items()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_opens_with_what_it_is_for():
    assert [m for m, p in modules().items()
            if not ast.get_docstring(ast.parse(p.read_text(encoding="utf-8")))] == []


def test_the_public_face_lists_what_it_offers_and_imports_nothing_heavy():
    """``mgi_report`` exports the build, its request, the editions and the errors;
    importing it loads none of the stages (the command's start stays quick)."""
    assert {"build", "build_editions", "Request", "Written", "EDITIONS", "Edition", "SPECS",
            "MgiError", "ContentError", "UsageError", "RenderError"} <= set(mgi_report.__all__)
    for name in mgi_report.__all__:
        assert getattr(mgi_report, name) is not None, name
    assert mgi_report.build.__module__ == "mgi_report.pipeline"
    assert mgi_report.EDITIONS == ("screen", "print", "archive")
    assert issubclass(mgi_report.ContentError, mgi_report.MgiError)
    eager = imports()[""]
    assert eager <= {"errors", "resources"}, eager
    with pytest.raises(AttributeError):
        mgi_report.no_such_name  # noqa: B018


def _copy(tmp_path: Path) -> Path:
    copy = tmp_path / "mgi_report"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_the_program_hash_covers_the_modules_of_every_stage(monkeypatch, tmp_path):
    """A batch rebuilds everything when any module changed, also one in a stage folder
    (the manifest's program hash); so does the resident renderer's code key."""
    copy = _copy(tmp_path)
    monkeypatch.setattr(digests, "PACKAGE", copy)
    monkeypatch.setattr(protocol, "PACKAGE", copy)
    before = digests.program_digest(), protocol.code_key()
    module = copy / "content" / "facts.py"
    module.write_text(module.read_text() + "\n# edited\n")
    after = digests.program_digest(), protocol.code_key()
    assert before[0] != after[0] and before[1] != after[1]


def test_the_program_hash_covers_the_colour_profiles(monkeypatch, tmp_path):
    """The print edition's output profile is part of the program: changed, every
    print PDF of a batch is rebuilt."""
    icc = tmp_path / "icc"
    shutil.copytree(digests.ICC, icc)
    monkeypatch.setattr(digests, "ICC", icc)
    before = digests.program_digest()
    profile = next(icc.glob("*.icc"))
    profile.write_bytes(profile.read_bytes() + b"\0")
    assert digests.program_digest() != before
