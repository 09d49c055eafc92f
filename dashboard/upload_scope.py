"""The upload page and the user's scope: who may deliver for which municipality, and see what.

Every function takes the user's `Scope` from the server-side session, never from the browser. A
beheerder may deliver for every municipality; others only for `Scope.may_upload_for`, and they see
their own uploads and the values of the municipalities they deliver for or see in full detail.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence

import pandas as pd

from accounts.scope import Role, Scope
from ingest.records import Record
from ingest.reference import Reference
from ingest.text import fold

SOURCE = "uploadpagina"  # the source of an upload made here: `uploadpagina (gemeente)`, by role


def source_of(scope: Scope) -> str:
    """What an upload made here records as its source: `uploadpagina (gemeente)`."""
    return f"{SOURCE} ({scope.role})"


def _joined(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"


def allowed_text(scope: Scope, reference: Reference) -> str:
    """The municipalities a user delivers for (and sees here), in words: `Utrecht (GM0344)`,
    `de gemeenten van regio Utrecht (VR09)`, `alle gemeenten`, `geen enkele gemeente`."""
    if scope.is_admin:
        return "alle gemeenten"
    if scope.role is Role.PROJECTLEIDER and scope.region:
        region = reference.regions.get(scope.region)
        return f"de gemeenten van regio {region.name if region else scope.region} ({scope.region})"
    if scope.role in (Role.GEMEENTE, Role.KETENPARTNER) and scope.municipalities:
        names = [f"{municipality_name(code, reference)} ({code})" for code in scope.municipalities]
        return _joined(sorted(names, key=fold))
    return "geen enkele gemeente"


def may_view_values(scope: Scope, code: str, reference: Reference) -> bool:
    """Whether the user may see the stored values of this municipality: one they deliver for or see
    in full detail."""
    return scope.may_upload_for(code, reference) or scope.full_detail_municipality(code, reference)


def outside_scope(
    records: Sequence[Record], choice: str | None, scope: Scope, reference: Reference
) -> dict[str, tuple[str | None, str | None]]:
    """The municipalities of a file (its records, and the one chosen for it) the user may not deliver
    for, each with the sheet and cell where it first appears (none for the choice)."""
    first: dict[str, tuple[str | None, str | None]] = {}
    chosen = municipality_code(choice, reference) if choice else None
    if chosen:
        first[chosen] = (None, None)
    for r in records:
        first.setdefault(r.municipality, (r.sheet, r.cell))
    return {code: place for code, place in first.items() if not scope.may_upload_for(code, reference)}


def municipality_name(code: str, reference: Reference) -> str:
    found = reference.municipalities.get(code)
    return found.name if found else code


def visible_uploads(uploads: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The rows of `list_uploads` the user may see: a beheerder all, anyone else the ones they made."""
    return uploads if scope.is_admin else uploads.loc[uploads["uploaded_by"] == scope.user]


def municipality_choices(
    reference: Reference,
    today: dt.date | None = None,
    current_only: bool = True,
    keep: Callable[[str], bool] | None = None,
) -> list[str]:
    """Suggestions `Utrecht (GM0344)` by name; former municipalities (`…, opgeheven 2022`) when asked;
    only the codes `keep` allows when given."""
    today = today or dt.date.today()
    choices = []
    for m in reference.municipalities.values():
        gone = m.end is not None and m.end <= today
        if (gone and current_only) or (keep is not None and not keep(m.code)):
            continue
        choices.append(f"{m.name} ({m.code}, opgeheven {m.end.year})" if gone else f"{m.name} ({m.code})")
    return sorted(choices, key=lambda text: (fold(re.sub(r"^'s[- ]", "", text)), text))


def upload_choices(scope: Scope, reference: Reference, today: dt.date | None = None) -> list[str]:
    """The current municipalities the user may deliver for (a beheerder: all)."""
    return municipality_choices(reference, today, keep=lambda code: scope.may_upload_for(code, reference))


def value_choices(scope: Scope, reference: Reference, today: dt.date | None = None) -> list[str]:
    """The municipalities, former ones too, whose stored values the user may see."""
    return municipality_choices(reference, today, False, keep=lambda code: may_view_values(scope, code, reference))


_CHOSEN_CODE = re.compile(r"\((GM\d{4})\b")
_TYPED_CODE = re.compile(r"^(?:gm)?0*(\d{1,4})$", re.IGNORECASE)


def municipality_for_file(text: object) -> str | None:
    """What the municipality field means for the pipeline: the code of a chosen suggestion, else the
    typed name or code as is (the pipeline resolves it or says in Dutch why not); None when empty."""
    typed = str(text or "").strip()
    if match := _CHOSEN_CODE.search(typed):
        return match[1]
    return typed or None


def municipality_code(text: object, reference: Reference) -> str | None:
    """The CBS code a typed or chosen municipality means, when it means exactly one."""
    typed = str(text or "").strip()
    if match := _CHOSEN_CODE.search(typed) or _TYPED_CODE.match(typed.replace(" ", "")):
        code = match[1] if match[1].startswith("GM") else f"GM{int(match[1]):04d}"
        return code if code in reference.municipalities else None
    codes = reference.codes_for_name(typed)
    return next(iter(codes)) if len(codes) == 1 else None
