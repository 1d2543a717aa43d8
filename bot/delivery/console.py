"""The console channel: a Reply as lines of a terminal, for the demo and for scripted replays.

Options are numbered (typing the number picks one, as a tap would), Back and Skip are named as
words, and pictures and files are saved beside the demo's database with their paths printed.
The chat's own replies and queued messages to other people are drawn by the same code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from bot.delivery.channel import reply_for
from bot.messages import Reply
from bot.reports.pictures import draw
from bot.storage.models import OutboxMessage, Person

INDENT = "     "


def console_lines(reply: Reply) -> list[str]:
    """The words of a reply and its options; pictures and files are `save`d separately."""
    lines = [reply.text]
    lines += [f"{number}. {choice.label}" for number, choice in enumerate(reply.choices, 1)]
    if reply.controls:
        words = " or ".join(control.label.lower() for control in reply.controls)
        lines.append(f"(or type {words})")
    return lines


class Saver:
    """Saves a reply's picture or file in a folder and says where, numbering the pictures."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.pictures = 0

    async def save(self, reply: Reply) -> list[str]:
        saved: list[str] = []
        picture = reply.card or reply.picture
        if picture:
            self.pictures += 1
            path = self._write(f"results-{self.pictures}.png", await draw(picture))
            saved.append(f"[picture saved: {path}]")
        if reply.document is not None:
            path = self._write(reply.document.filename, reply.document.content)
            saved.append(f"[file saved: {path}]")
        return saved

    def _write(self, name: str, content: bytes) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / name
        path.write_bytes(content)
        return path


class ConsolePrinter:
    """Shows messages to other people (a notice to the mentor) in the same terminal."""

    name = "console"

    def __init__(self, print_line: Callable[[str], None]) -> None:
        self.print_line = print_line

    def can_reach(self, person: Person) -> bool:
        return True

    async def send(self, person: Person, message: OutboxMessage) -> str | None:
        first, *rest = console_lines(reply_for(message))
        self.print_line(f"{INDENT}(to {person.role.value} {person.display_name}: {first})")
        for line in rest:
            self.print_line(f"{INDENT}  {line}")
        return None
