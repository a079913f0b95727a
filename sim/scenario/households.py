"""Explicit households as a persons table: the members a scenario names, ``copies`` times.

Copy *c* of household *h* is household index ``c * len(households) + h``; its members get the
next person indices in order, so person *i* is the same whatever the number of copies. What
the spec leaves open (a birth date inside the age, the ZIP code) is drawn from the person's
own stream.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

from sim.errors import SpecError
from sim.profiles.dates import birth_dates
from sim.reference.lookup import find_county
from sim.reference.table import load_counties
from sim.reference.zips import load_zips
from sim.scenario.spec import Household, HouseholdMember
from sim.seeds import SeedTree, Stream

__all__ = ["condition_flags", "household_persons"]


def condition_flags(code: str) -> tuple[str, ...]:
    """``E11.9`` -> (``has_E11_9``, ``has_E11``): the code's flag and its category's."""
    category = code.split(".")[0]
    flags = {f"has_{code.replace('.', '_')}", f"has_{category}"}
    return tuple(sorted(flags))


def _age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def _member_rows(
    households: Sequence[Household],
    copies: range,
    seeds: SeedTree,
    reference_date: dt.date,
) -> list[dict[str, Any]]:
    zips = load_zips()
    counties = load_counties()
    size = sum(len(h.members) for h in households)
    rows: list[dict[str, Any]] = []
    for copy in copies:
        person_index = copy * size
        for h, household in enumerate(households):
            household_index = copy * len(households) + h
            row = find_county(
                household.county_fips, path=("households", household.key, "county_fips")
            )
            first, count = zips.county_slices(np.asarray([household.county_fips]))
            zip_rng = seeds.rng(Stream.GEOGRAPHY, 1, household_index)
            pick = int(first[0]) + int(zip_rng.integers(max(int(count[0]), 1)))
            zip_code = household.zip_code or (str(zips.zip_code[pick]) if count[0] else "")
            city = household.city or (str(zips.city[pick]) if count[0] else "")
            for member in household.members:
                rows.append(
                    _member(
                        member,
                        household,
                        person_index=person_index,
                        household_index=household_index,
                        state=str(counties.state_abbr[row]),
                        zip_code=zip_code,
                        city=city,
                        seeds=seeds,
                        reference_date=reference_date,
                    )
                )
                person_index += 1
    return rows


def _member(
    member: HouseholdMember,
    household: Household,
    *,
    person_index: int,
    household_index: int,
    state: str,
    zip_code: str,
    city: str,
    seeds: SeedTree,
    reference_date: dt.date,
) -> dict[str, Any]:
    if member.birth_date is not None:
        birth = member.birth_date
        if birth > reference_date:
            raise SpecError(
                "born after the scenario starts",
                path=("households", household.key, "members", member.key, "birth_date"),
            )
        age = _age_on(birth, reference_date)
    else:
        age = int(member.age)  # type: ignore[arg-type]
        rng = seeds.rng(Stream.DEMOGRAPHICS, 1, person_index)
        birth = birth_dates(np.asarray([age]), reference_date, rng)[0].astype(dt.date)
    return {
        "person_id": f"P{person_index:09d}",
        "person_index": person_index,
        "household_index": household_index,
        "household_key": household.key,
        "member_key": member.key,
        "relationship": member.relationship,
        "sex": member.sex,
        "birth_date": birth,
        "age": age,
        "county_fips": household.county_fips,
        "state": state,
        "first_name": member.first_name,
        "last_name": member.last_name or household.last_name,
        "address_line": household.address_line,
        "city": city,
        "zip_code": zip_code,
        "coverage_type": household.coverage_type,
        "plan": household.plan,
        "conditions": list(member.conditions),
        **{flag: True for code in member.conditions for flag in condition_flags(code)},
        **member.attributes,
    }


def household_persons(
    households: Sequence[Household],
    copies: int,
    seeds: SeedTree,
    reference_date: dt.date,
    *,
    first_copy: int = 0,
) -> pa.Table:
    """One row per member of copies ``first_copy .. first_copy + copies``, with the columns a
    profile's persons have where they apply, plus household_index, household_key, member_key
    and relationship."""
    rows = _member_rows(households, range(first_copy, first_copy + copies), seeds, reference_date)
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    flags = [n for n in names if n.startswith("has_")]
    for row in rows:
        for flag in flags:
            row.setdefault(flag, False)
    columns = {name: [row.get(name) for row in rows] for name in names}
    try:
        table = pa.table(columns)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as error:
        raise SpecError(
            f"member attributes of one name must have one type: {error}",
            path=("households",),
        ) from None
    return table.set_column(
        table.schema.get_field_index("age"), "age", table["age"].cast(pa.int32())
    )
