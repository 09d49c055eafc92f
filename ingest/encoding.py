"""Text damaged by a wrong encoding (`SÃºdwest-FryslÃ¢n`, UTF-8 read as Windows-1252) repaired
with ftfy, and said so: the uploader should fix the export that produced it."""

from __future__ import annotations

from functools import lru_cache

import ftfy

from ingest.problems import Problem, problem
from ingest.reader import Sheet, cell_name

SHOWN = 3  # examples named in the warning


@lru_cache(maxsize=8192)
def _repaired(text: str) -> str:
    return ftfy.fix_text(text, normalization="NFC")


def repair_text(sheets: list[Sheet], label: str) -> tuple[list[Sheet], list[Problem]]:
    """The sheets with every damaged text cell repaired, and one warning per sheet that had any."""
    problems = []
    for sheet in sheets:
        examples, first = [], None
        for r, row in enumerate(sheet.rows):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and not cell.isascii() and (fixed := _repaired(cell)) != cell:
                    row[c] = fixed
                    first = first or cell_name(r, c)
                    examples.append(f"'{cell}' als '{fixed}'")
        if examples:
            shown = ", ".join(examples[:SHOWN]) + (f" en nog {len(examples) - SHOWN}" if len(examples) > SHOWN else "")
            problems.append(problem(label, "repaired_text", sheet.name, first, examples=shown, count=len(examples)))
    return sheets, problems
