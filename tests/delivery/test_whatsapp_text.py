"""WhatsApp wording: numbered options answered by number, Unicode kept, long replies split."""

from __future__ import annotations

from bot.delivery.whatsapp_text import LIMIT, VARIABLE_LIMIT, one_line, render, split
from bot.messages import Choice, Reply

QUESTION = Reply(
    "How are you feeling today \u2019 honestly?",
    choices=(Choice("Good", "good"), Choice("Not great", "bad")),
    controls=(Choice("Skip", "_skip"),),
    token="t1",
)


def test_options_are_numbered_and_the_text_keeps_its_own_letters() -> None:
    (body,) = render(QUESTION)
    assert body == (
        "How are you feeling today \u2019 honestly?\n\n1 Good\n2 Not great\nReply 1-2, SKIP"
    )


def test_commands_are_named_as_the_keywords_people_can_send() -> None:
    (body,) = render(Reply("Send /checkin when you are ready."))
    assert body == "Send CHECKIN when you are ready."
    (staff_body,) = render(Reply("Send /plan Sam to see it."), staff=True)
    assert staff_body == "Send /plan Sam to see it."


def test_a_typed_answer_question_says_what_else_can_be_sent() -> None:
    (body,) = render(Reply("What is your goal?", controls=(Choice("Back", "_back"),)))
    assert body.endswith("\n\nOr reply BACK")


def test_a_long_reply_is_split_at_line_breaks_within_the_limit() -> None:
    lines = [f"Line {n}: " + " ".join(["word"] * 30) for n in range(40)]
    parts = split("\n".join(lines))
    assert len(parts) > 1 and all(len(part) <= LIMIT for part in parts)
    assert "\n".join(parts).split("\n") == lines  # every line whole, none cut


def test_a_reply_without_breaks_or_spaces_is_still_cut_to_fit() -> None:
    parts = split("x" * (2 * LIMIT + 5))
    assert [len(part) for part in parts] == [LIMIT, LIMIT, 5]


def test_a_template_variable_is_one_line_with_its_options_in_words() -> None:
    reply = Reply("Your meeting is\n\ntomorrow.   See /checkin", choices=(Choice("Yes", "y"),))
    assert one_line(reply) == "Your meeting is tomorrow. See CHECKIN Reply 1 for Yes."
    many = Reply("Pick one.", choices=tuple(Choice(f"Area {n}", str(n)) for n in range(1, 4)))
    assert one_line(many).endswith("Reply 1 for Area 1, 2 for Area 2 or 3 for Area 3.")
    long = one_line(Reply("word " * 400))
    assert len(long) <= VARIABLE_LIMIT and long.endswith("word...")
    assert "\n" not in long and "\t" not in long
