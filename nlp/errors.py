"""The toolkit's error types: one per failure kind, each naming the file and the reason.

Every message reads ``<file>: <reason> (<what to do>)`` so that one stderr line is enough
for a person to act on. Code outside this module raises only these (or ``ValueError``
for programming mistakes in the caller's arguments).
"""
from __future__ import annotations


class NlpError(Exception):
    """Base class: a problem with one input file or one artefact."""

    kind = "error"
    hint = ""
    exit_code = 1

    def __init__(self, path: str | None, reason: str, hint: str | None = None) -> None:
        self.path = str(path) if path is not None else "<input>"
        self.reason = reason
        self.hint_text = hint if hint is not None else self.hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        tail = f" ({self.hint_text})" if self.hint_text else ""
        return f"{self.path}: {self.reason}{tail}"

    def __reduce__(self) -> tuple:
        """Picklable with its fields, so a worker process can hand the error back to its parent."""
        return (type(self), (None if self.path == "<input>" else self.path, self.reason, self.hint_text))

    def to_dict(self) -> dict[str, str]:
        return {"doc": self.path, "error": self.kind, "reason": self.reason, "hint": self.hint_text}


class InputNotFoundError(NlpError):
    kind = "not_found"
    hint = "check the path"


class UnsupportedFormatError(NlpError):
    kind = "unsupported_format"
    hint = "convert it to .txt, .md, .docx, .pdf or .html"


class EmptyDocumentError(NlpError):
    kind = "empty"
    hint = "the file has no text to read; a scanned PDF needs OCR first"


class EncodingError(NlpError):
    kind = "encoding"
    hint = "save it as UTF-8 or GB18030"


class BinaryInputError(NlpError):
    kind = "binary"
    hint = "this is not a text document; check the file extension"


class CorruptDocumentError(NlpError):
    kind = "corrupt"
    hint = "open and re-save it in Word/a PDF viewer, or convert it to .txt"


class InputTooLargeError(NlpError):
    kind = "too_large"
    hint = "split the file or raise the limit (--max-bytes / NLP_MAX_BYTES)"


class UnsafeInputError(NlpError):
    kind = "unsafe"
    hint = "the file contains constructs we refuse to parse (XML entities, zip bomb)"


class TimeBudgetExceededError(NlpError):
    kind = "timeout"
    hint = "raise the per-file time budget (--file-timeout) or inspect the file"


class ModelError(NlpError):
    kind = "model"
    hint = "rebuild it with 'nlp train' or reinstall the package"


ERROR_TYPES: tuple[type[NlpError], ...] = (
    InputNotFoundError,
    UnsupportedFormatError,
    EmptyDocumentError,
    EncodingError,
    BinaryInputError,
    CorruptDocumentError,
    InputTooLargeError,
    UnsafeInputError,
    TimeBudgetExceededError,
    ModelError,
)
