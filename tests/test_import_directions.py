"""Imports run one way (docs/architecture.md, "Imports run one way").

Every module of bot/ is parsed (not imported), and each import it makes, at the top or inside a
function, is checked against the layers. A wrong-way import fails here with the line that makes
it, so a new channel or feature cannot quietly tie the layers in a knot again.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).parent.parent / "bot"

# Importers allowed to reach bot/handlers: the composition root, the demo and the CLI.
ROOT_AND_CLI = {"bot.app", "bot.__main__", "bot.demo"}
# Leaf modules every layer may use: the message vocabulary and the words we say.
LEAVES = {"bot.messages", "bot.flows.texts"}
# What each package may not import (besides bot/handlers, which only the root may).
FORBIDDEN = {
    "bot.storage": {
        "bot.flows",
        "bot.scheduling",
        "bot.delivery",
        "bot.reports",
        "bot.signposting",
        "bot.safety",
        "bot.instruments",
        "bot.questions",
        "bot.service",
        "bot.app",
    },
    "bot.flows": {"bot.scheduling", "bot.service", "bot.app"},
    "bot.delivery": {"bot.flows", "bot.scheduling", "bot.service", "bot.app"},
    "bot.scheduling": {"bot.service", "bot.app"},
    "bot.reports": {"bot.flows", "bot.scheduling", "bot.delivery", "bot.service", "bot.app"},
    "bot.questions": {"bot.flows", "bot.scheduling", "bot.delivery", "bot.service", "bot.app"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, *, typing_only: bool = True) -> list[tuple[int, str]]:
    """(line, module) for every `import x` and `from x import y` (x.y when y is a module).

    `typing_only=False` leaves out what is imported under `if TYPE_CHECKING:` alone.
    """
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if not typing_only:
        tree.body = [node for node in tree.body if not _type_checking_block(node)]
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:  # a module imported from its package counts as itself
                submodule = f"{node.module}.{alias.name}"
                found.append((node.lineno, submodule if is_module(submodule) else node.module))
    return [(line, name) for line, name in found if name.startswith("bot.")]


def _type_checking_block(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING"


def is_module(name: str) -> bool:
    path = BOT.parent / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def wrong_way(importer: str, imported: str) -> str | None:
    """Why this import runs the wrong way, or None."""
    if any(within(imported, leaf) for leaf in LEAVES):
        return None
    if within(imported, "bot.handlers") and not (
        within(importer, "bot.handlers") or importer in ROOT_AND_CLI or importer.endswith("_cli")
    ):
        return "only the composition root and the CLI import bot/handlers"
    for package, forbidden in FORBIDDEN.items():
        if within(importer, package):
            hit = next((f for f in forbidden if within(imported, f)), None)
            if hit is not None:
                return f"{package} may not import {hit}"
    return None


MODULES = sorted(BOT.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=[module_name(p) for p in MODULES])
def test_imports_run_one_way(path: Path) -> None:
    importer = module_name(path)
    problems = [
        f"{path.relative_to(BOT.parent)}:{line} imports {imported}: {why}"
        for line, imported in imports(path)
        if (why := wrong_way(importer, imported)) is not None
    ]
    assert not problems, "\n".join(problems)


def test_the_leaves_import_nothing_of_ours() -> None:
    for leaf in LEAVES:
        path = BOT.parent / (leaf.replace(".", "/") + ".py")
        # At run time: bot.messages names the picture types only for type checking.
        found = [name for _, name in imports(path, typing_only=False)]
        assert found == [], f"{leaf} must stay a leaf"


def test_a_wrong_way_import_is_caught() -> None:
    assert wrong_way("bot.flows.goals", "bot.scheduling.dispatcher") is not None
    assert wrong_way("bot.storage.people", "bot.flows.types") is not None
    assert wrong_way("bot.scheduling.senders", "bot.handlers.sms_text") is not None
    assert wrong_way("bot.handlers.sms", "bot.flows.engine") is None
