"""Near-duplicate statements across reports: normalisation, MinHash-LSH, verified components.

Why MinHash-LSH: comparing every statement with every other is O(n²) and a corpus run may hold a
million statements. Statements are first normalised (ordinals, list markers, figures, dates,
place and unit names removed) so that "县教育局2023年预算执行率偏低" and "区卫健委2022年预算执行率偏低"
meet; exact normalised duplicates collapse before hashing; each remaining text is queried and
then inserted (streaming), and every LSH candidate is verified by the Jaccard similarity of the
character 3-gram sets before two statements are joined (union-find).
"""
from __future__ import annotations

import hashlib
import re
import struct
from collections.abc import Iterable, Sequence
from typing import Any

NUM_PERM = 64
THRESHOLD = 0.5  # Jaccard of 3-gram sets for two statements to count as the same (reworded copies reach ~0.5)

_MARKER = re.compile(
    r"^(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+|[（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[、.．)）]|"
    r"[①-⑳]|[一二三四五六七八九十]+、|首先|其次|再次|最后)[，,、：:]?"
)
_DATE = re.compile(r"\d{2,4}\s*年(?:度)?(?:\s*\d{1,2}\s*月)?(?:\s*\d{1,2}\s*[日号])?|\d{1,2}\s*月\s*\d{1,2}\s*[日号]?")
_FIGURE = re.compile(r"[-+]?\d+(?:[.,，]\d+)*\s*(?:万元|亿元|元|%|％|个百分点|万|亿|人次|人|个|项|件|次|分|户|所|家|天)?")
_PLACE = re.compile(
    r"[\u4e00-\u9fa5]{2,4}(?:省|自治区|市|自治州|州|县|区|旗|镇|乡|街道)"
    r"(?=[\u4e00-\u9fa5]{0,8}?(?:局|委员会|委|中心|办公室|办|院|所|站|馆|学校|政府|财政|部|队|社|会))"
)
_DIGIT = re.compile(r"\d")
_PLACE_END = re.compile("[省自市州县区旗镇乡街]")  # the first character of every place suffix above
_LEAD_UNIT = re.compile(r"^[\u4e00-\u9fa5]{0,8}?(?:局|委员会|委|中心|办公室|学校|医院|卫生院)(?=[\u4e00-\u9fa5]{4})")
_UNIT = re.compile(r"(?:我|本|该|各|贵)(?:局|委|中心|单位|部门|院|所|校|站|馆|办)")
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str, department: str | None = None) -> str:
    """The statement's words without ordinals, figures, dates, place and unit names, punctuation."""
    t = text.strip()
    t = _MARKER.sub("", t)
    if department:
        t = t.replace(department, "")
    if _DIGIT.search(t):  # dates and figures hold a digit
        t = _DATE.sub("", t)
        t = _FIGURE.sub("", t)
    if _PLACE_END.search(t):
        t = _PLACE.sub("", t)
    t = re.sub(r"^(?:省|市|县|区|镇|乡)", "", t)
    t = _UNIT.sub("", t)
    t = _LEAD_UNIT.sub("", t)
    return _PUNCT.sub("", t)


def shingles(norm: str, k: int = 3) -> set[str]:
    if len(norm) <= k:
        return {norm} if norm else set()
    return {norm[i:i + k] for i in range(len(norm) - k + 1)}


def jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def _hash32(s: str) -> int:
    return struct.unpack("<I", hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest())[0]


def stable_id(text: str, prefix: str = "c") -> str:
    return prefix + hashlib.blake2b(text.encode("utf-8"), digest_size=6).hexdigest()


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        p = self.parent
        while p[x] != x:
            p[x] = p[p[x]]
            x = p[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def near_duplicate_groups(
    texts: Sequence[str],
    keys: Sequence[Any] | None = None,
    threshold: float = THRESHOLD,
    num_perm: int = NUM_PERM,
) -> list[int]:
    """Group index per text: texts (already normalised) of the same key whose 3-gram Jaccard
    reaches ``threshold``, joined transitively. Near-linear: exact duplicates collapse first and
    MinHash-LSH proposes the pairs that are verified."""
    import numpy as np
    from datasketch import MinHash, MinHashLSH

    n = len(texts)
    keys = list(keys) if keys is not None else [None] * n
    # exact duplicates (same key, same normalised text) collapse to one representative
    rep_of: dict[tuple[Any, str], int] = {}
    reps: list[int] = []
    rep_idx = [0] * n
    for i, (t, k) in enumerate(zip(texts, keys, strict=True)):
        r = rep_of.get((k, t))
        if r is None:
            r = rep_of[(k, t)] = len(reps)
            reps.append(i)
        rep_idx[i] = r
    uf = _UnionFind(len(reps))
    lsh_by_key: dict[Any, Any] = {}
    sets: list[set[str]] = []
    seed_perm = MinHash(num_perm=num_perm, seed=1)  # permutations shared by every MinHash
    for r, i in enumerate(reps):
        sh = shingles(texts[i])
        sets.append(sh)
        if not sh:
            continue
        m = MinHash(num_perm=num_perm, seed=1, permutations=seed_perm.permutations, scheme="affine32")
        m.update_batch([s.encode("utf-8") for s in sh])
        lsh = lsh_by_key.get(keys[i])
        if lsh is None:
            lsh = lsh_by_key[keys[i]] = MinHashLSH(threshold=max(0.3, threshold - 0.15), num_perm=num_perm)
        for other in lsh.query(m):
            if jaccard(sh, sets[other]) >= threshold:
                uf.union(r, other)
        lsh.insert(r, m, check_duplication=False)
    del np
    return [uf.find(rep_idx[i]) for i in range(n)]


def groups_to_lists(groups: Iterable[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for i, g in enumerate(groups):
        out.setdefault(g, []).append(i)
    return out
