"""Roles and scopes: what a signed-in user may see in full detail and upload for.

| role          | full detail                        | upload for                          |
|---------------|------------------------------------|-------------------------------------|
| beheerder     | everything                         | any municipality                    |
| projectleider | own region, its municipalities     | the municipalities of own region    |
| gemeente      | own municipality                   | own municipality                    |
| ketenpartner  | nothing                            | the municipalities listed for it    |
| stuurgroep    | nothing                            | nothing                             |

Everything outside a user's full detail is shown as the steering group sees it: regions and the
nation only, with small numbers suppressed (`indicators.suppression`). A `Scope` is built on the
server from the account in the database, never from anything the browser sends.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from reference.areas import Reference

NATIONAL_CODE = "NL"


class Role(StrEnum):
    BEHEERDER = "beheerder"
    PROJECTLEIDER = "projectleider"
    GEMEENTE = "gemeente"
    KETENPARTNER = "ketenpartner"
    STUURGROEP = "stuurgroep"


ROLE_DESCRIPTIONS = {
    Role.BEHEERDER: "beheerder: alles, het auditlog en het gebruikersbeheer",
    Role.PROJECTLEIDER: "projectleider: de eigen regio in detail, de rest zoals de stuurgroep",
    Role.GEMEENTE: "gemeente: de eigen gemeente in detail, de rest zoals de stuurgroep",
    Role.KETENPARTNER: "ketenpartner: zoals de stuurgroep; levert aan voor de eigen gemeenten",
    Role.STUURGROEP: "stuurgroep: regio's en landelijk, kleine aantallen afgeschermd",
}


@dataclass(frozen=True)
class Scope:
    """One user's rights. `region` for a projectleider, `municipalities` for a gemeente (one) or
    ketenpartner (one or more); both empty for the other roles."""

    user: str
    role: Role
    region: str | None = None
    municipalities: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_admin(self) -> bool:
        return self.role is Role.BEHEERDER

    @property
    def may_upload(self) -> bool:
        return self.role is not Role.STUURGROEP

    def sees_everything(self) -> bool:
        return self.role is Role.BEHEERDER

    def full_detail_municipality(self, code: str, reference: Reference) -> bool:
        """Whether the user sees this municipality's own figures unsuppressed."""
        if self.role is Role.BEHEERDER:
            return True
        if self.role is Role.PROJECTLEIDER:
            region = reference.region_of(code)
            return region is not None and region.code == self.region
        if self.role is Role.GEMEENTE:
            return code in self.municipalities or reference.current_code(code) in self.municipalities
        return False

    def full_detail_areas(self, reference: Reference) -> frozenset[tuple[str, str]] | None:
        """The (level, area code) rows shown unsuppressed; None for everything (the beheerder)."""
        if self.role is Role.BEHEERDER:
            return None
        areas = {
            ("municipality", code)
            for code in reference.municipalities
            if self.full_detail_municipality(code, reference)
        }
        if self.role is Role.PROJECTLEIDER and self.region:
            areas.add(("region", self.region))
        return frozenset(areas)

    def full_detail(self, level: str, area_code: str, reference: Reference) -> bool:
        """Whether a row of the indicator table (level, area) is shown unsuppressed to this user."""
        if self.role is Role.BEHEERDER:
            return True
        if level == "municipality":
            return self.full_detail_municipality(area_code, reference)
        if level == "region":
            return self.role is Role.PROJECTLEIDER and area_code == self.region
        return False

    def may_upload_for(self, code: str, reference: Reference) -> bool:
        """Whether the user may store figures for this municipality (current or merged-away code)."""
        if self.role is Role.BEHEERDER:
            return True
        if self.role is Role.PROJECTLEIDER:
            region = reference.region_of(reference.current_code(code))
            return region is not None and region.code == self.region
        if self.role in (Role.GEMEENTE, Role.KETENPARTNER):
            return code in self.municipalities or reference.current_code(code) in self.municipalities
        return False
