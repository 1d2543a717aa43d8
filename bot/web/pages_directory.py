"""The directory of services for supervisors: list, add, edit and retire, checked by the very
rules an import uses (bot/flows/directory_admin.py, as `/service` and `/retire` are).
"""

from __future__ import annotations

from starlette.responses import Response

from bot.flows.directory_admin import STALE_AFTER_MONTHS, add_entry, edit_entry
from bot.signposting import stored
from bot.signposting.directory import ENTRY_FIELDS
from bot.storage import people
from bot.storage.models import Resource
from bot.web.render import not_found, page
from bot.web.sessions import Page, redirect, staff_page

# The fields a person types (verified is set to today by saving: someone has just checked it).
FORM_FIELDS = tuple(name for name in ENTRY_FIELDS if name != "verified")
LABELS = {"text": "Text number", "text_keyword": "Text keyword", "website": "Website"}
DONE = {"added": "Entry added.", "edited": "Entry saved.", "retired": "Entry retired."}


def _fields(view: Page) -> dict[str, str]:
    assert view.form is not None
    return {
        name: " ".join(str(view.form.get(name, "")).split())
        for name in FORM_FIELDS
        if str(view.form.get(name, "")).strip()
    }


def _form(view: Page, title: str, values: dict[str, str], problem: str = "") -> Response:
    categories = [(c.id, c.label) for c in stored.shipped_categories()]
    return page(
        view.request,
        "directory_form.html",
        staff=view.staff,
        csrf=view.csrf,
        title=title,
        fields=[
            (name, LABELS.get(name, name.replace("_", " ").capitalize())) for name in FORM_FIELDS
        ],
        values=values,
        categories=categories,
        problem=problem,
        status=400 if problem else 200,
    )


async def _entry(view: Page) -> Resource | None:
    resource_id = view.ids.decode("service", view.request.path_params["service"])
    row = None if resource_id is None else await stored.get_resource(view.ctx.session, resource_id)
    return row if row is not None and row.retired_at is None else None


@staff_page("service")
async def directory(view: Page) -> Response:
    rows = await stored.active_resources(view.ctx.session)
    stale_before = people.add_months(view.ctx.today(), -STALE_AFTER_MONTHS)
    labels = {c.id: c.label for c in stored.shipped_categories()}
    return page(
        view.request,
        "directory.html",
        staff=view.staff,
        csrf=view.csrf,
        title="Directory of services",
        entries=[
            (view.ids.encode("service", r.id), r, labels.get(r.category, r.category)) for r in rows
        ],
        stale_before=stale_before,
        done=DONE.get(view.request.query_params.get("done", ""), ""),
    )


@staff_page("service")
async def new_entry(view: Page) -> Response:
    return _form(view, "Add an entry", {})


@staff_page("service")
async def add(view: Page) -> Response:
    fields = _fields(view)
    added, said = await add_entry(view.ctx, fields)
    if not added:
        return _form(view, "Add an entry", fields, said)
    return redirect("/staff/directory?done=added")


@staff_page("service")
async def edit_form(view: Page) -> Response:
    row = await _entry(view)
    if row is None:
        return not_found(view.request, view.staff, view.csrf)
    values = {name: str(getattr(row, name) or "") for name in FORM_FIELDS}
    return _form(view, f"Edit: {row.name}", values)


@staff_page("service")
async def edit(view: Page) -> Response:
    row = await _entry(view)
    if row is None:
        return not_found(view.request, view.staff, view.csrf)
    fields = _fields(view)
    # A field left empty is removed (phone, website...), as an import without it would.
    changes = {name: fields.get(name) for name in FORM_FIELDS}
    edited, said = edit_entry(view.ctx, row, changes)
    if not edited:
        return _form(view, f"Edit: {row.name}", fields, said)
    return redirect("/staff/directory?done=edited")


@staff_page("retire")
async def retire(view: Page) -> Response:
    row = await _entry(view)
    if row is None:
        return not_found(view.request, view.staff, view.csrf)
    stored.retire(row, now=view.ctx.now())
    return redirect("/staff/directory?done=retired")
