"""Builds the shipped reference tables under ``sim/reference/data/`` from the raw public files.

    python scripts/build_reference.py [--source ../shared/reference-data]

Inputs (see docs/reference-data.md): CDC PLACES 2022 county (GIS layout), CDC/ATSDR SVI 2020
county, US Census cc-est2019-agesex (July 2019 rows) and, for ZIP codes only, the ``zipcodes``
package (build-time only: ``pip install zipcodes``). Outputs, deterministic gzip CSVs:

- ``counties.csv.gz``: one row per PLACES county (3,143).
- ``zips.csv.gz``: ZIP -> city, state, county FIPS, so that addresses agree with the county.

This is the only code that reads the raw folder; it checks its own totals and exits non-zero
with a message when one does not hold.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import math
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "reference-data"
OUTPUT_DIR = REPO_ROOT / "sim" / "reference" / "data"

EXPECTED_COUNTY_COUNT = 3143
EXPECTED_CENSUS_TOTAL = 328_239_437  # sum of POPESTIMATE, July 2019, 3,141 rows

# PLACES measure -> shipped name; all are adult (18+) crude prevalences.
PLACES_MEASURES = {
    "DIABETES": "diabetes",
    "OBESITY": "obesity",
    "BPHIGH": "hypertension",
    "HIGHCHOL": "high_cholesterol",
    "CASTHMA": "asthma",
    "COPD": "copd",
    "CHD": "chd",
    "STROKE": "stroke",
    "KIDNEY": "ckd",
    "DEPRESSION": "depression",
    "CANCER": "cancer",
    "ARTHRITIS": "arthritis",
    "CSMOKING": "smoking",
}

# Census 5-year band column stems, in order, with the shipped band label.
AGE_BANDS = [
    ("AGE04", "00_04"),
    ("AGE59", "05_09"),
    ("AGE1014", "10_14"),
    ("AGE1519", "15_19"),
    ("AGE2024", "20_24"),
    ("AGE2529", "25_29"),
    ("AGE3034", "30_34"),
    ("AGE3539", "35_39"),
    ("AGE4044", "40_44"),
    ("AGE4549", "45_49"),
    ("AGE5054", "50_54"),
    ("AGE5559", "55_59"),
    ("AGE6064", "60_64"),
    ("AGE6569", "65_69"),
    ("AGE7074", "70_74"),
    ("AGE7579", "75_79"),
    ("AGE8084", "80_84"),
    ("AGE85PLUS", "85_plus"),
]
SEXES = [("MALE", "male"), ("FEM", "female")]

# SVI 2020 estimate column -> shipped race/ethnicity name. SVI's E_MINRTY is everyone except
# White non-Hispanic, and the seven groups below add up to it exactly (checked), so White
# non-Hispanic is the remainder.
SVI_RACE = {
    "E_HISP": "hispanic",
    "E_AFAM": "black",
    "E_ASIAN": "asian",
    "E_AIAN": "aian",
    "E_NHPI": "nhpi",
    "E_TWOMORE": "two_or_more",
    "E_OTHERRACE": "other",
}
RACE_NAMES = [*SVI_RACE.values(), "white_nh"]

# 2020 Alaska split: Chugach and Copper River were Valdez-Cordova (02261) in the 2019 census
# file; the parent's age/sex shape is closer than the state's.
CENSUS_PREDECESSOR = {"02063": "02261", "02066": "02261"}

SVI_MISSING = -999.0

SHARE_DECIMALS = 6


class BuildError(RuntimeError):
    """A check on the derived data failed."""


def check(condition: bool, message: str) -> None:
    if not condition:
        raise BuildError(message)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:  # SVI starts with a BOM
        return list(csv.DictReader(handle))


# --- counties -------------------------------------------------------------------------------


def agesex_columns() -> list[str]:
    return [f"share_{sex}_{band}" for _, sex in SEXES for _, band in AGE_BANDS]


def census_counts(row: dict[str, str]) -> list[int]:
    """The 36 age-by-sex counts of one census row (male bands, then female bands)."""
    return [int(row[f"{stem}_{col}"]) for col, _ in SEXES for stem, _ in AGE_BANDS]


def check_census(census: dict[str, dict[str, str]]) -> None:
    total = sum(int(row["POPESTIMATE"]) for row in census.values())
    check(
        total == EXPECTED_CENSUS_TOTAL,
        f"census total {total:,} != expected {EXPECTED_CENSUS_TOTAL:,}",
    )
    for fips, row in census.items():
        counts = census_counts(row)
        male, female = sum(counts[: len(AGE_BANDS)]), sum(counts[len(AGE_BANDS) :])
        check(male == int(row["POPEST_MALE"]), f"census {fips}: male bands != POPEST_MALE")
        check(female == int(row["POPEST_FEM"]), f"census {fips}: female bands != POPEST_FEM")
        check(male + female == int(row["POPESTIMATE"]), f"census {fips}: sexes != total")


def state_agesex(census: dict[str, dict[str, str]]) -> dict[str, tuple[list[int], int, int]]:
    """Per state FIPS: summed age-by-sex counts, adults (18+) and total population."""
    sums: dict[str, tuple[list[int], int, int]] = {}
    for fips, row in census.items():
        counts, adults, total = sums.get(fips[:2], ([0] * 36, 0, 0))
        counts = [a + b for a, b in zip(counts, census_counts(row), strict=True)]
        sums[fips[:2]] = (
            counts,
            adults + int(row["AGE18PLUS_TOT"]),
            total + int(row["POPESTIMATE"]),
        )
    return sums


def weighted_fill(
    rows: list[dict],
    column: str,
    is_missing: Callable[[object], bool],
    weight: Callable[[dict], float],
) -> dict[str, str]:
    """Fills a missing value with its state's weighted mean, or the national one when the whole
    state is missing. Returns county FIPS -> the level used ("state" or "national")."""
    by_state: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        by_state[row["state_fips"]].append(row)

    def mean(group: Iterable[dict]) -> float | None:
        known = [(row[column], weight(row)) for row in group if not is_missing(row[column])]
        total = sum(w for _, w in known)
        return sum(v * w for v, w in known) / total if total else None

    national = mean(rows)
    check(national is not None, f"{column}: no county has a value")
    filled: dict[str, str] = {}
    for group in by_state.values():
        state_value = mean(group)
        for row in group:
            if is_missing(row[column]):
                row[column] = state_value if state_value is not None else national
                filled[row["county_fips"]] = "state" if state_value is not None else "national"
    return filled


def build_counties(source: Path) -> list[dict]:
    places = read_csv(source / "places_county_2022.csv")
    svi = {row["STCNTY"]: row for row in read_csv(source / "svi2020_us_county.csv")}
    census = {row["COUNTYFIPS"]: row for row in read_csv(source / "census_county_agesex_2019.csv")}

    check(len(places) == EXPECTED_COUNTY_COUNT, f"PLACES has {len(places)} counties")
    place_fips = {row["CountyFIPS"] for row in places}
    check(len(place_fips) == EXPECTED_COUNTY_COUNT, "PLACES county FIPS are not unique")
    check(set(svi) == place_fips, f"SVI/PLACES county sets differ: {set(svi) ^ place_fips}")
    check_census(census)
    states = state_agesex(census)

    rows: list[dict] = []
    for place in places:
        fips = place["CountyFIPS"]
        social = svi[fips]
        check(social["ST_ABBR"] == place["StateAbbr"], f"{fips}: SVI and PLACES states differ")
        row: dict = {
            "county_fips": fips,
            "state_fips": fips[:2],
            "state_abbr": place["StateAbbr"],
            "state_name": place["StateDesc"],
            # SVI's LOCATION keeps the legal type ("Harris County", "Alexandria city") and
            # proper accents ("Doña Ana"), which PLACES' CountyName lacks.
            "county_name": social["LOCATION"].rsplit(",", 1)[0].strip(),
            "county_short_name": social["COUNTY"],
            "population": int(place["TotalPopulation"]),
        }
        longitude, latitude = place["Geolocation"].removeprefix("POINT (").rstrip(")").split()
        row["latitude"], row["longitude"] = round(float(latitude), 4), round(float(longitude), 4)
        row.update(agesex_row(fips, census, states))
        row.update(svi_row(social))
        for measure, name in PLACES_MEASURES.items():
            value = place[f"{measure}_CrudePrev"]
            row[f"prev_{name}"] = float(value) / 100 if value else None
        rows.append(row)

    filled: dict[str, list[str]] = defaultdict(list)
    for name in PLACES_MEASURES.values():
        for fips, level in weighted_fill(
            rows,
            f"prev_{name}",
            lambda value: value is None,
            lambda row: row["population"] * row["adult_share"],
        ).items():
            filled[fips].append(f"{name}:{level}")
    for column, weight_column in (("uninsured_share", "svi_population"), ("svi_rank", None)):
        for fips, level in weighted_fill(
            rows,
            column,
            lambda value: value == SVI_MISSING,
            lambda row, w=weight_column: row[w] if w else row["population"],
        ).items():
            filled[fips].append(f"{column}:{level}")
    for row in rows:
        row["filled"] = ";".join(filled.get(row["county_fips"], []))
        del row["svi_population"]
    check_counties(rows)
    return rows


def agesex_row(
    fips: str,
    census: dict[str, dict[str, str]],
    states: dict[str, tuple[list[int], int, int]],
) -> dict:
    source_fips = fips if fips in census else CENSUS_PREDECESSOR.get(fips)
    if source_fips in census:
        row = census[source_fips]
        counts, adults, total = (
            census_counts(row),
            int(row["AGE18PLUS_TOT"]),
            int(row["POPESTIMATE"]),
        )
        source = "census_2019" if source_fips == fips else f"census_2019:{source_fips}"
    else:
        counts, adults, total = states[fips[:2]]
        source = "state_shape"
    shares = {
        column: round(count / total, SHARE_DECIMALS)
        for column, count in zip(agesex_columns(), counts, strict=True)
    }
    return {
        "agesex_source": source,
        "census_population_2019": total if source == "census_2019" else "",
        "adult_share": round(adults / total, SHARE_DECIMALS),
        **shares,
    }


def svi_row(social: dict[str, str]) -> dict:
    total = float(social["E_TOTPOP"])
    check(total > 0, f"SVI {social['STCNTY']}: no population")
    counts = {name: float(social[column]) for column, name in SVI_RACE.items()}
    minority = float(social["E_MINRTY"])
    check(
        abs(sum(counts.values()) - minority) < 0.5,
        f"SVI {social['STCNTY']}: race groups do not add up to E_MINRTY",
    )
    counts["white_nh"] = total - minority
    uninsured = float(social["EP_UNINSUR"])
    rank = float(social["RPL_THEMES"])
    return {
        **{f"share_{name}": round(count / total, SHARE_DECIMALS) for name, count in counts.items()},
        "uninsured_share": SVI_MISSING if uninsured == SVI_MISSING else uninsured / 100,
        "svi_rank": rank,
        "svi_population": total,
    }


def check_counties(rows: list[dict]) -> None:
    check(len(rows) == EXPECTED_COUNTY_COUNT, f"{len(rows)} counties built")
    tolerance = 36 * 0.5 * 10**-SHARE_DECIMALS  # rounding of each share
    for row in rows:
        fips = row["county_fips"]
        check(row["population"] > 0, f"{fips}: population {row['population']}")
        agesex = sum(row[column] for column in agesex_columns())
        check(abs(agesex - 1) <= tolerance, f"{fips}: age/sex shares sum to {agesex}")
        race = sum(row[f"share_{name}"] for name in RACE_NAMES)
        check(abs(race - 1) <= tolerance, f"{fips}: race shares sum to {race}")
        check(0 < row["adult_share"] < 1, f"{fips}: adult share {row['adult_share']}")
        for name in (
            "uninsured_share",
            "svi_rank",
            *(f"prev_{m}" for m in PLACES_MEASURES.values()),
        ):
            value = row[name]
            check(value is not None and 0 <= value <= 1, f"{fips}: {name} = {value}")


# --- ZIP codes ------------------------------------------------------------------------------

NAME_ALIASES = {
    # zipcodes spellings that normalise differently from the census legal names
    ("AK", "municipalityofanchorage"): "anchoragemunicipality",
    ("AK", "cityandboroughofjuneau"): "juneaucityandborough",
    ("VA", "jamescity"): "jamescitycounty",
}


def name_key(name: str) -> str:
    """Accents, case, punctuation and spaces removed: 'DeWitt' == 'De Witt', 'Doña' == 'Dona'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_name.lower() if ch.isalnum())


def build_zips(counties: list[dict]) -> tuple[list[dict], dict[str, int]]:
    import zipcodes  # build-time only

    by_name = {(row["state_abbr"], name_key(row["county_name"])): row for row in counties}
    by_state: dict[str, list[dict]] = defaultdict(list)
    for row in counties:
        by_state[row["state_abbr"]].append(row)

    matched: dict[str, list[dict]] = defaultdict(list)  # county FIPS -> ZIP rows
    stats = {"zips_considered": 0, "zips_matched": 0, "zips_unmatched": 0}
    unmatched_examples: list[str] = []
    for entry in zipcodes.list_all():
        state = entry["state"]
        if state not in by_state or not entry["active"] or entry["zip_code_type"] == "MILITARY":
            continue  # territories, APO/FPO and retired ZIPs have no county in the table
        stats["zips_considered"] += 1
        key = name_key(entry["county"] or "")
        key = NAME_ALIASES.get((state, key), key)
        county = by_name.get((state, key))
        if county is None and not key and len(by_state[state]) == 1:
            county = by_state[state][0]  # DC: one county, ZIPs listed without one
        if county is None:
            stats["zips_unmatched"] += 1
            unmatched_examples.append(f"{entry['zip_code']} {state} '{entry['county']}'")
            continue
        stats["zips_matched"] += 1
        matched[county["county_fips"]].append(entry)

    rows: list[dict] = []
    stats |= {"counties_standard": 0, "counties_other_types": 0, "counties_nearest": 0}
    for county in counties:
        fips = county["county_fips"]
        entries = matched.get(fips, [])
        # Residents live at street (STANDARD) ZIPs; PO-box and unique (one-organisation) ZIPs
        # are only used when a county has nothing else.
        standard = [e for e in entries if e["zip_code_type"] == "STANDARD"]
        if standard:
            chosen, assignment = standard, "county_name"
            stats["counties_standard"] += 1
        elif entries:
            chosen, assignment = entries, "county_name_non_standard"
            stats["counties_other_types"] += 1
        else:
            chosen, assignment = [nearest_zip(county, matched, by_state)], "nearest_in_state"
            stats["counties_nearest"] += 1
        for entry in sorted(chosen, key=lambda e: e["zip_code"]):
            rows.append(
                {
                    "zip_code": entry["zip_code"],
                    "city": entry["city"],
                    "state_abbr": county["state_abbr"],
                    "county_fips": fips,
                    "assignment": assignment,
                }
            )
    stats["zip_rows"] = len(rows)
    print(f"unmatched ZIP examples: {unmatched_examples[:10]}", file=sys.stderr)
    check(stats["zips_matched"] / stats["zips_considered"] > 0.99, f"ZIP match rate: {stats}")
    check({r["county_fips"] for r in rows} == {c["county_fips"] for c in counties}, "ZIP gaps")
    return rows, stats


def nearest_zip(
    county: dict, matched: dict[str, list[dict]], by_state: dict[str, list[dict]]
) -> dict:
    """The state's STANDARD ZIP closest to the county's centroid (equirectangular distance is
    plenty at county scale)."""
    lat0, lon0 = county["latitude"], county["longitude"]
    scale = math.cos(math.radians(lat0))
    candidates = [
        entry
        for other in by_state[county["state_abbr"]]
        for entry in matched.get(other["county_fips"], [])
        if entry["zip_code_type"] == "STANDARD" and entry["lat"] and entry["long"]
    ]
    check(bool(candidates), f"{county['county_fips']}: no ZIP in the state")
    return min(
        candidates,
        key=lambda e: (float(e["lat"]) - lat0) ** 2 + ((float(e["long"]) - lon0) * scale) ** 2,
    )


# --- output ---------------------------------------------------------------------------------


def write_gzip_csv(path: Path, rows: list[dict]) -> int:
    """Writes a byte-reproducible gzip CSV (no timestamp in the header); returns its size."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: format_value(value) for key, value in row.items()})
    data = gzip.compress(text.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    path.write_bytes(data)
    return len(data)


def format_value(value: object) -> object:
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if value else "0"
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=OUTPUT_DIR)
    args = parser.parse_args(argv)
    try:
        counties = build_counties(args.source)
        zips, stats = build_zips(counties)
    except BuildError as error:
        print(f"build_reference: check failed: {error}", file=sys.stderr)
        return 1
    args.output.mkdir(parents=True, exist_ok=True)
    county_bytes = write_gzip_csv(args.output / "counties.csv.gz", counties)
    zip_bytes = write_gzip_csv(args.output / "zips.csv.gz", zips)
    fallbacks = {
        "agesex": sum(row["agesex_source"] != "census_2019" for row in counties),
        "filled": sum(bool(row["filled"]) for row in counties),
    }
    print(f"counties: {len(counties)} rows, {county_bytes:,} bytes; fallbacks {fallbacks}")
    print(f"zips: {len(zips)} rows, {zip_bytes:,} bytes; {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
