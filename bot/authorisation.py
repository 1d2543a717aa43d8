"""Who may do what: one policy for the chat commands and the staff dashboard (issue 18).

Every chat command and every dashboard page names an action in `RULES`; the dashboard's pages
reuse the name of the chat command that does the same thing (the record is `mentee`, adding a
note is `note`), so a role can never do on the web what it cannot do in the chat, or the other
way round. Which mentees a staff member may see is decided here too: mentors their own active
mentees, supervisors every active mentee. Anyone else's mentee is answered exactly as an
unknown one, in the chat (an unknown name) and on the web (404).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.flows import texts
from bot.storage import meetings
from bot.storage.models import Episode, EpisodeStatus, Person, Role

MENTEE = frozenset({Role.MENTEE})
STAFF = frozenset({Role.MENTOR, Role.SUPERVISOR})
SUPERVISOR = frozenset({Role.SUPERVISOR})
ANYONE = frozenset(Role)

RULES: dict[str, frozenset[Role]] = {
    "checkin": MENTEE,
    "meeting": MENTEE,
    "settings": MENTEE,
    "invite": STAFF,
    "addmentee": STAFF,
    "addphone": STAFF,
    "phone": MENTEE,
    "meet": STAFF,
    "meetings": STAFF,
    "upcoming": STAFF,
    "failed": STAFF,
    "find": ANYONE,
    "signpost": STAFF,
    "signposts": STAFF,
    "stale": SUPERVISOR,
    "retire": SUPERVISOR,
    "service": SUPERVISOR,
    "report": SUPERVISOR,
    "export": SUPERVISOR,
    "mentees": STAFF,
    "attention": STAFF,
    "ack": STAFF,
    "note": STAFF,
    "site": STAFF,
    "assign": SUPERVISOR,
    "supervision": SUPERVISOR,
    "staff": SUPERVISOR,
    "caseloads": SUPERVISOR,
    "audit": SUPERVISOR,
    "privacy": ANYONE,
    "concern": MENTEE,
    "mydata": MENTEE,
    "forget": MENTEE,
    "plan": ANYONE,
    "goals": MENTEE,
    "goal": STAFF,
    "rate": STAFF,
    "close": STAFF,
    "mentee": STAFF,
    "summary": MENTEE,
    "msg": ANYONE,
    "hours": STAFF,
    "web": STAFF,  # a sign-in link to the dashboard (bot/flows/web_link.py, bot/web/)
}


def may(role: Role | None, action: str) -> bool:
    """Whether this role may do this action; an unknown action is allowed to nobody."""
    return role is not None and role in RULES.get(action, frozenset())


def refusal(action: str) -> str:
    """'Only supervisors can see the report.': who may, without listing anything else."""
    allowed = RULES[action]
    group = "supervisors" if allowed == SUPERVISOR else "staff" if allowed == STAFF else "mentees"
    who = texts.ONLY_WHO[group]
    return texts.ONLY_WHO_CAN.format(who=who, what=texts.REFUSED_WHAT[action])


async def visible_mentees(session: AsyncSession, staff: Person) -> list[Person]:
    """The mentees this person may see: their own active ones, or all for a supervisor."""
    if staff.role is Role.SUPERVISOR:
        query = (
            select(Person)
            .join(Episode, Episode.mentee_id == Person.id)
            .where(Episode.status == EpisodeStatus.ACTIVE)
            .order_by(Person.display_name)
        )
        return list((await session.execute(query)).scalars())
    if staff.role is not Role.MENTOR:
        return []
    return [mentee for mentee, _ in await meetings.mentees_of(session, staff.id)]


async def visible_mentee(session: AsyncSession, staff: Person, mentee_id: int) -> Person | None:
    """This mentee if the staff member may see them, else None: the same for someone else's
    mentee as for an id that does not exist."""
    return next((p for p in await visible_mentees(session, staff) if p.id == mentee_id), None)
