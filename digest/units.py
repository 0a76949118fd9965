"""A figure keeps its unit: "19,356 feet" is not "19,356 meters".

The checker finds each number of a sentence in its evidence, but not what the number counts.
A validation brief wrote "at an altitude of 19,356 meters (5,900 feet)" where the report said
"19,356 feet (5,900 m)": both numbers there, both units swapped. A number that the brief gives
with a unit of measure, where the evidence gives that number only with other units, is a
mismatch. English unit words and symbols; a number the evidence gives bare says nothing.
"""

from __future__ import annotations

import re

# each unit by its plural: every way of writing it
_UNITS = {
    "meters": "m|meters?|metres?",
    "kilometers": "km|kilometers?|kilometres?",
    "centimeters": "cm|centimeters?|centimetres?",
    "feet": "ft|feet|foot",
    "miles": "mi|miles?",
    "inches": "in|inch|inches",
    "yards": "yds?|yards?",
    "kilograms": "kg|kilos?|kilograms?|kilogrammes?",
    "grams": "g|grams?|grammes?",
    "pounds": "lbs?|pounds?",
    "ounces": "oz|ounces?",
    "tons": "tons?|tonnes?",
    "liters": "l|liters?|litres?",
    "gallons": "gallons?",
    "degrees Celsius": "°c|c|celsius",
    "degrees Fahrenheit": "°f|f|fahrenheit",
    "hectares": "ha|hectares?",
    "acres": "acres?",
}
_NAMED = [(name, re.compile(rf"(?:{forms})", re.I)) for name, forms in _UNITS.items()]
_FORMS = "|".join(f"(?:{forms})" for forms in _UNITS.values())
# "19,356 feet", "5,900 m", "8,013-meter", "40 °C"
_MEASURE = re.compile(rf"(?<![\w.,])(\d[\d,]*(?:\.\d+)?)(?:\s?|-)({_FORMS})(?![\w°])", re.I)
_DOUBTFUL = {"in", "l", "g", "c", "f"}  # too common as words or letters to trust


def _measures(text: str) -> list[tuple[str, str]]:
    out = []
    for m in _MEASURE.finditer(text):
        form = m.group(2).lower()
        if form in _DOUBTFUL:
            continue
        name = next(n for n, pattern in _NAMED if pattern.fullmatch(form))
        out.append((m.group(1).replace(",", ""), name))
    return out


def unit_mismatch(text: str, evidence: list[str]) -> list[str]:
    """Each "<number> <unit>" of `text` whose number the `evidence` gives only with other units."""
    theirs = [pair for e in evidence for pair in _measures(e)]
    out = []
    for number, unit in _measures(text):
        units = {u for n, u in theirs if n == number}
        if units and unit not in units:
            out.append(f"unit: {number} {unit}")
    return out
