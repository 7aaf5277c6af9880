"""Resource limits for the readers: refuse oversized or hostile inputs before parsing them."""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

MB = 1024 * 1024

_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([kmg]?)i?b?\s*$", re.IGNORECASE)


def parse_size(value: str | int) -> int:
    """Bytes from ``"50000000"``, ``"50MB"``, ``"200k"`` or ``"1G"`` (binary multiples)."""
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"size must be positive, got {value}")
        return value
    m = _SIZE.match(str(value))
    if not m:
        raise ValueError(f"not a size: {value!r} (use e.g. 50000000, 50MB, 200k)")
    n = float(m.group(1)) * {"": 1, "k": 1024, "m": MB, "g": 1024 * MB}[m.group(2).lower()]
    if n <= 0:
        raise ValueError(f"size must be positive, got {value!r}")
    return int(n)


def _default_max_bytes() -> int:
    # Read at construction time, so a test or a wrapper can set the variable late.
    env = os.environ.get("NLP_MAX_BYTES")
    if env:
        try:
            return parse_size(env)
        except ValueError as exc:
            raise ValueError(f"NLP_MAX_BYTES: {exc}") from None
    return 50 * MB


@dataclass(frozen=True, slots=True)
class Limits:
    """How much one input may cost us before we refuse it.

    ``max_bytes`` bounds the file on disk (env ``NLP_MAX_BYTES`` overrides the 50 MB default);
    ``max_docx_uncompressed`` and ``max_compression_ratio`` stop zip bombs before any XML is parsed;
    ``max_pdf_pages`` bounds PDF work. Text is never cut: a limit either passes or refuses the file.
    """

    max_bytes: int = field(default_factory=_default_max_bytes)
    max_docx_uncompressed: int = 200 * MB
    max_compression_ratio: float = 200.0
    max_zip_entries: int = 5000
    max_pdf_pages: int = 500

    @classmethod
    def coerce(cls, limits: Limits | Mapping[str, Any] | None) -> Limits:
        """``None`` -> defaults; a mapping (e.g. from CLI options) -> its known keys, ``None`` values ignored."""
        if limits is None:
            if cls is not Limits:
                return cls()
            # the defaults depend on NLP_MAX_BYTES only (read now, as a fresh instance would); frozen, so shared
            env = os.environ.get("NLP_MAX_BYTES")
            got = _DEFAULTS.get(env)
            if got is None:
                got = cls()
                if len(_DEFAULTS) >= 8:
                    _DEFAULTS.clear()
                _DEFAULTS[env] = got
            return got
        if isinstance(limits, cls):
            return limits
        if isinstance(limits, Mapping):
            known = {f.name for f in fields(cls)}
            unknown = set(limits) - known
            if unknown:
                raise ValueError(f"unknown limit(s): {', '.join(sorted(unknown))}")
            kwargs = {k: v for k, v in limits.items() if v is not None}
            if "max_bytes" in kwargs:
                kwargs["max_bytes"] = parse_size(kwargs["max_bytes"])
            return cls(**kwargs)
        # Duck-typed objects (another Limits-like class): take the attributes we know.
        return cls(**{f.name: getattr(limits, f.name) for f in fields(cls) if getattr(limits, f.name, None) is not None})


_DEFAULTS: dict[str | None, Limits] = {}  # NLP_MAX_BYTES value -> the default limits under it
