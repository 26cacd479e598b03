"""Near-duplicate Chinese texts, found by buckets rather than by comparing every pair.

A text is normalised (members' names, digits, Chinese numerals and punctuation taken
out, so a copy with other names and dates stays a copy), cut into overlapping character
n-grams (shingles) and summarised by a MinHash signature. One-permutation hashing (Li,
Owen and Zhang 2012) fills the signature's bins from a single hash of each shingle, with
rotation densification (Shrivastava and Li 2014) for empty bins, so a text costs one
pass over its characters. Signatures are cut into bands; texts sharing a band land in
one bucket (locality-sensitive hashing) and only those candidates have their Jaccard
similarity computed exactly. With 8 bands of 4 rows a pair at 80 % similarity becomes a
candidate with probability 1 − (1 − 0.8⁴)⁸ ≈ 98.5 %, one at 50 % with about 40 %, and
nearly every candidate below the threshold is then dropped by the exact check.

Pure Python (zlib's CRC-32 as the hash): no dependency, stable across processes.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Iterable

SHINGLE = 3
BINS = 32
ROWS = 4
BANDS = BINS // ROWS
# A bucket this large (a template everyone fills in) is linked to its earliest text only,
# so its cost stays linear.
STAR_ABOVE = 20

_NUMBERS = re.compile(r"[0-9０-９零〇一二三四五六七八九十百千万两]+")
_NOISE = re.compile(r"[\W_]+")  # punctuation and white space (CJK characters are \w)


class Names:
    """Members' names to take out of texts: found from their first characters, so a
    text costs one regular-expression scan, not a lookup at every position."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = {n for n in names if 2 <= len(n) <= 4}
        firsts = sorted({n[0] for n in self.names})
        self.first = re.compile("[" + re.escape("".join(firsts)) + "]") if firsts else None

    def strip(self, text: str) -> str:
        if self.first is None:
            return text
        out, i = [], 0
        for match in self.first.finditer(text):
            start = match.start()
            if start < i:
                continue
            for size in (4, 3, 2):
                if text[start : start + size] in self.names:
                    out.append(text[i:start])
                    out.append("某")
                    i = start + size
                    break
        out.append(text[i:])
        return "".join(out)


def normalise(text: str, names: Names) -> str:
    """The text as compared: names → 某, runs of digits and numerals → #, no punctuation."""
    text = _NOISE.sub("", names.strip(text or ""))
    return _NUMBERS.sub("#", text)


def shingles(text: str) -> set[int]:
    """Hashes of the text's character n-grams."""
    return {
        zlib.crc32(text[i : i + SHINGLE].encode()) for i in range(max(0, len(text) - SHINGLE + 1))
    }


def signature(hashes: set[int]) -> tuple[int, ...]:
    """One-permutation MinHash: the smallest hash per bin, empty bins densified."""
    bins: list[int | None] = [None] * BINS
    for h in hashes:
        b, v = h % BINS, h // BINS
        current = bins[b]
        if current is None or v < current:
            bins[b] = v
    if all(v is None for v in bins):
        return ()
    filled: list[int] = []
    for j in range(BINS):
        k, step = j, 0
        while bins[k] is None:
            k, step = (k + 1) % BINS, step + 1
        value = bins[k]
        assert value is not None
        filled.append(value * 64 + step)  # the distance keeps borrowed values distinct
    return tuple(filled)


def jaccard(a: set[int], b: set[int]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def candidates(signatures: dict[int, tuple[int, ...]], order: dict[int, tuple]) -> set[tuple]:
    """Pairs (earlier, later) of keys sharing a band of their signatures; ``order`` gives
    each key's sort position (its date, then id)."""
    buckets: dict[tuple, list[int]] = defaultdict(list)
    for key, sig in signatures.items():
        if not sig:
            continue
        for band in range(BANDS):
            buckets[(band, sig[band * ROWS : (band + 1) * ROWS])].append(key)
    pairs: set[tuple] = set()
    for keys in buckets.values():
        if len(keys) < 2:
            continue
        keys.sort(key=order.__getitem__)
        if len(keys) > STAR_ABOVE:
            pairs.update((keys[0], k) for k in keys[1:])
            continue
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                pairs.add((a, b))
    return pairs
