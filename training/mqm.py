"""Real machine-translation pairs from the MQM annotations (zh→en TED talks, WMT21).

The MQM file holds, for each annotated segment, the output of 13 MT systems
and two human translations (``ref``, ``refB``) of the same Chinese source. A
human translation beside a machine one of the same source is an aligned pair
of real MT; consecutive segments of a talk are joined into short paragraphs.
Error-span marks ``<v>…</v>`` are removed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

MQM_FILE = Path("mqm") / "mqm_ted_zhen.tsv"
HUMAN_SYSTEMS = ("ref", "refB")
SEGMENTS_PER_PARAGRAPH = 3
_SPAN_MARK = re.compile(r"</?v>")


def read_targets(data_dir: Path) -> dict[tuple[str, str], dict[int, str]]:
    """``(system, doc) -> {segment id: target text}`` with span marks removed."""
    targets: dict[tuple[str, str], dict[int, str]] = defaultdict(dict)
    with open(data_dir / MQM_FILE, encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            text = _SPAN_MARK.sub("", row["target"]).strip()
            if text:
                targets[(row["system"], row["doc"])][int(row["seg_id"])] = text
    return targets


def mqm_pairs(data_dir: Path) -> list[dict]:
    """(human translation, machine translation) paragraph pairs, grouped by talk."""
    targets = read_targets(data_dir)
    pairs: list[dict] = []
    systems = sorted({s for s, _ in targets if s not in HUMAN_SYSTEMS})
    docs = sorted({d for _, d in targets})
    for doc in docs:
        human = targets.get(("ref", doc)) or targets.get(("refB", doc)) or {}
        for system in systems:
            machine = targets.get((system, doc), {})
            shared = sorted(set(human) & set(machine))
            for i in range(0, len(shared) - SEGMENTS_PER_PARAGRAPH + 1, SEGMENTS_PER_PARAGRAPH):
                window = shared[i : i + SEGMENTS_PER_PARAGRAPH]
                if window[-1] - window[0] != SEGMENTS_PER_PARAGRAPH - 1:
                    continue  # only runs of consecutive segments make a paragraph
                pairs.append(
                    {
                        "original": " ".join(human[s] for s in window),
                        "garbled": " ".join(machine[s] for s in window),
                        "source": "mqm",
                        "doc": doc,
                        "kind": "mqm",
                        "system": system,
                    }
                )
    return pairs
