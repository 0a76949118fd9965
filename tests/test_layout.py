"""The package's rooms: model libraries only in the model adapters, no import circles, small files.

These read digest/'s own source (ast), so they fail as soon as a heavy import or a circle
creeps back in, before any model is installed.
"""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "digest"
HEAVY = {
    "torch",
    "transformers",
    "sentence_transformers",
    "onnxruntime",
    "onnx",
    "llama_cpp",
    "tokenizers",
}
# Where a model library may be imported (inside a function or at the top): the adapters, the
# one-time preparations, and embed.resolve_device, which asks torch whether there is a GPU.
MAY_IMPORT_HEAVY = {"prepare.py", "prepare_embedder.py", "prepare_e5.py"}
RESOLVE_DEVICE = ("embed.py", "torch")


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _names(node: ast.Import | ast.ImportFrom) -> list[tuple[str, int]]:
    """(dotted name, level) an import statement names; level > 0 for relative imports."""
    if isinstance(node, ast.Import):
        return [(a.name, 0) for a in node.names]
    if node.level and node.module is None:  # from . import x
        return [(a.name, node.level) for a in node.names]
    return [(node.module or "", node.level)]


def imports(path: Path, *, top_level_only: bool = False) -> list[tuple[str, int]]:
    """Every import in the file (inside functions too, unless `top_level_only`)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else list(ast.walk(tree))
    return [
        n for node in nodes if isinstance(node, ast.Import | ast.ImportFrom) for n in _names(node)
    ]


def digest_imports(path: Path, *, top_level_only: bool = False) -> set[str]:
    """The digest modules `path` imports, as paths relative to digest/ ("prepare.py")."""
    found = set()
    for name, level in imports(path, top_level_only=top_level_only):
        if level == 0:
            if not name.startswith("digest."):
                continue
            target = PACKAGE.joinpath(*name.split(".")[1:])
        else:
            up = path.parent
            for _ in range(level - 1):
                up = up.parent
            target = up.joinpath(*name.split(".")) if name else up
        for candidate in (target.with_suffix(".py"), target / "__init__.py"):
            if candidate.is_file() and candidate != path:
                found.add(candidate.relative_to(PACKAGE).as_posix())
    return found


def test_model_libraries_are_imported_only_by_the_adapters_and_the_preparations():
    where = []
    for path in modules():
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.startswith("backends/") or rel in MAY_IMPORT_HEAVY:
            continue
        for name, level in imports(path):
            top = name.split(".")[0]
            if level == 0 and top in HEAVY and (rel, top) != RESOLVE_DEVICE:
                where.append(f"{rel} imports {name}")
    assert not where, where


def test_the_adapters_live_in_backends_one_file_each():
    names = {p.stem for p in (PACKAGE / "backends").glob("*.py")}
    assert {
        "onnx_embedder",
        "sentence_transformers_embedder",
        "llama_cpp_generator",
        "transformers_generator",
    } <= names
    for path in (PACKAGE / "embed.py", PACKAGE / "generate.py"):
        classes = [n.name for n in ast.parse(path.read_text()).body if isinstance(n, ast.ClassDef)]
        # the interface (and the test embedder) only: no real adapter is defined here
        assert not [
            c
            for c in classes
            if c.endswith(("Generator", "Embedder"))
            and c not in ("Generator", "Embedder", "HashEmbedder")
        ], (path.name, classes)


def test_the_two_preparations_do_not_import_each_other():
    assert "prepare.py" not in digest_imports(PACKAGE / "prepare_embedder.py")
    # prepare.py hands the embedder's name over to prepare_embedder.py: one way only
    assert "prepare_embedder.py" in digest_imports(PACKAGE / "prepare.py")


def test_no_import_circle_between_modules_at_import_time():
    """Top-level imports (those run when a module is imported) form no circle."""
    graph = {
        p.relative_to(PACKAGE).as_posix(): digest_imports(p, top_level_only=True) for p in modules()
    }
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                pytest.fail("import circle: " + " -> ".join([*path, node, nxt]))
            if nxt not in state:
                visit(nxt, [*path, node])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [])


def test_importing_digest_and_making_every_adapter_loads_no_model_library(tmp_path):
    code = (
        "import sys\n"
        "import digest.cli, digest.pipeline, digest.ingest, digest.embed, digest.generate\n"
        "from digest.embed import OnnxEmbedder, SentenceTransformerEmbedder\n"
        "from digest.generate import LlamaCppGenerator, TransformersGenerator\n"
        f"OnnxEmbedder({str(tmp_path)!r}); SentenceTransformerEmbedder()\n"
        f"LlamaCppGenerator({str(tmp_path / 'm.gguf')!r}); TransformersGenerator({str(tmp_path)!r})\n"
        f"heavy = sorted(m for m in {sorted(HEAVY)!r} if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_the_old_adapter_names_are_the_adapters():
    from digest import embed, generate
    from digest.backends import (
        llama_cpp_generator,
        onnx_embedder,
        sentence_transformers_embedder,
        transformers_generator,
    )

    assert embed.OnnxEmbedder is onnx_embedder.OnnxEmbedder
    assert (
        embed.SentenceTransformerEmbedder
        is sentence_transformers_embedder.SentenceTransformerEmbedder
    )
    assert generate.LlamaCppGenerator is llama_cpp_generator.LlamaCppGenerator
    assert generate.TransformersGenerator is transformers_generator.TransformersGenerator
    with pytest.raises(AttributeError):
        _ = embed.NoSuchEmbedder


def test_each_format_has_its_module_and_ingest_only_dispatches():
    from digest import ingest

    assert set(ingest.SUPPORTED) == set(ingest.READERS)
    for suffix, reader in ingest.READERS.items():
        assert reader.__module__.startswith("digest.formats."), (suffix, reader.__module__)
    modules_used = {reader.__module__.rsplit(".", 1)[1] for reader in ingest.READERS.values()}
    assert modules_used == {"text", "markdown", "html", "json", "mail", "feeds", "pdf"}
    # the inbox side parses nothing itself: no parser library, no format's standard module
    parsers = {"trafilatura", "lxml", "feedparser", "pypdf", "email", "json", "html", "yaml"}
    used = {name.split(".")[0] for name, level in imports(PACKAGE / "ingest.py") if level == 0}
    assert not used & parsers, used & parsers


LINE_LIMIT_EXEMPT: set[str] = set()  # none: every module of digest/ is held to the limit


def test_no_module_is_over_500_lines():
    long = {
        p.relative_to(PACKAGE).as_posix(): n
        for p in modules()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert not {k: v for k, v in long.items() if k not in LINE_LIMIT_EXEMPT}, long
