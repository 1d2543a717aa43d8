"""The shape of one check-in: its questions in order, in parts, each as the engine asks it.

A full check-in is 61 questions in three parts (the ARC, then the two CEST scales); people
are told so honestly at the start, offered a break between parts, and shown "Part 2 of 3,
question 4 of 6" as they go. The weekly check-in is one part of ten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.flows import texts
from bot.flows.battery import battery
from bot.instruments import Instrument, Item, parse_answer
from bot.messages import Choice
from bot.questions.asking import Question
from bot.questions.vocabulary import read_yes_no
from bot.storage.models import Timepoint

# About how long one question takes on a phone; used only to say "about 10 minutes".
SECONDS_PER_QUESTION = 10


@dataclass(frozen=True)
class Slot:
    """One question of a sitting and where it stands."""

    instrument: Instrument
    item: Item
    part: int  # 1-based
    number: int  # 1-based, within its part

    @property
    def first_of_part(self) -> bool:
        return self.number == 1


@dataclass(frozen=True)
class Sitting:
    slots: tuple[Slot, ...]
    parts: int

    def part_size(self, part: int) -> int:
        return sum(slot.part == part for slot in self.slots)

    def question(self, position: int) -> Question:
        """The question at `position`, with skip always and back after the first."""
        slot = self.slots[position]
        instrument = slot.instrument
        size = self.part_size(slot.part)
        if self.parts > 1:
            prompt = texts.QUESTION_PART.format(
                part=slot.part,
                parts=self.parts,
                number=slot.number,
                total=size,
                text=slot.item.text,
            )
        else:
            prompt = texts.QUESTION.format(number=slot.number, total=size, text=slot.item.text)

        def read_words(text: str) -> str | None:
            value = parse_answer(instrument, text)
            return None if value is None else str(value)

        return Question(
            prompt=prompt,
            choices=tuple(
                Choice(option.label, str(option.value)) for option in instrument.responses
            ),
            read_words=read_words,
            skip=True,
            back=position > 0,
        )

    def intro(self, position: int) -> str:
        """What comes before the first question of a part: the plan first, then the part."""
        slot = self.slots[position]
        if position == 0 and self.parts > 1:
            minutes = max(1, round(len(self.slots) * SECONDS_PER_QUESTION / 60))
            plan = texts.CHECKIN_PLAN.format(
                total=len(self.slots), parts=self.parts, minutes=minutes
            )
            return f"{plan}\n\n{slot.instrument.intro}"
        return slot.instrument.intro

    def part_break(self, position: int) -> str:
        """Offered after the last question of a part: well done, what is next, go on or rest."""
        done, upcoming = self.slots[position - 1], self.slots[position]
        return "\n".join(
            (
                texts.PART_DONE.format(part=done.part, parts=self.parts),
                upcoming.instrument.intro,
                texts.PART_NEXT.format(part=upcoming.part, total=self.part_size(upcoming.part)),
            )
        )


def sitting(instruments: Mapping[str, Instrument], timepoint: Timepoint) -> Sitting:
    slots = tuple(
        Slot(instrument, item, part, number)
        for part, instrument in enumerate((instruments[name] for name in battery(timepoint)), 1)
        for number, item in enumerate(instrument.items, 1)
    )
    return Sitting(slots, parts=len(battery(timepoint)))


CARRY_ON, TAKE_BREAK = "go", "later"


def _yes_carries_on(text: str) -> str | None:
    said = read_yes_no(text)
    return None if said is None else (CARRY_ON if said else TAKE_BREAK)


def break_question(text: str) -> Question:
    """Carry on or take a break; "yes" carries on and "no" rests, as people answer."""
    return Question(
        prompt=text,
        choices=(Choice(texts.CARRY_ON, CARRY_ON), Choice(texts.TAKE_BREAK, TAKE_BREAK)),
        read_words=_yes_carries_on,
    )
