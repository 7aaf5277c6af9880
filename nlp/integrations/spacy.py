"""spaCy components: section-tagged block spans and figure entities on a ``Doc``.

    import spacy
    nlp_zh = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp_zh.add_pipe("report_sections")
    nlp_zh.add_pipe("report_figures")
    doc = nlp_zh(text)
    for span in doc.spans["blocks"]:
        print(span._.section, span._.section_confidence, span.text)
    for ent in doc.ents:
        print(ent.label_, ent._.value, ent._.unit, ent._.metric)

The factories are registered on import and published as ``spacy_factories`` entry points, so
spaCy finds them by name once the package is installed. The ``Doc`` text is read as a report:
its lines are the report's lines. Each component splits ``predict`` (pure, returns results)
from ``set_annotations`` (writes them onto the ``Doc``), as spaCy's trainable components do.
"""
from __future__ import annotations

from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from nlp.document import Block, Document, Figure

BLOCKS_KEY = "blocks"
ENTITY_LABELS = {"amount": "AMOUNT", "percent": "PERCENT", "count": "COUNT", "score": "SCORE", "other": "QUANTITY"}


def _register_extensions() -> None:
    for name, default in (
        ("section", None), ("section_confidence", None), ("section_scores", None),
        ("block_kind", None), ("heading_path", None), ("line_start", None), ("line_end", None),
        ("value", None), ("unit", None), ("metric", None), ("figure_label", None),
        ("figure_confidence", None), ("comparator", None), ("line", None),
    ):
        if not Span.has_extension(name):
            Span.set_extension(name, default=default)
    if not Doc.has_extension("report_blocks"):
        Doc.set_extension("report_blocks", default=None)


def _document_of(doc: Doc) -> Document:
    return Document(doc=doc.user_data.get("report_doc", "<spacy>"), lines=doc.text.split("\n"), format="txt")


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


def _span(doc: Doc, start: int, end: int) -> Span | None:
    return doc.char_span(start, end, alignment_mode="expand") if end > start else None


class ReportSections:
    """Cut the ``Doc`` into report blocks and tag each with its section."""

    def __init__(self, nlp: Language, name: str, model: str | None = None) -> None:
        self.name = name
        self.model = model
        self._tagger: Any = None

    @property
    def tagger(self) -> Any:
        if self._tagger is None:
            from nlp.sections import load_tagger

            self._tagger = load_tagger(self.model)
        return self._tagger

    def predict(self, doc: Doc) -> list[Block]:
        from nlp.structure import parse

        document = _document_of(doc)
        blocks = parse(document)
        self.tagger.tag(document, blocks)
        return blocks

    def set_annotations(self, doc: Doc, blocks: list[Block]) -> None:
        offsets = _line_offsets(doc.text.split("\n"))
        lines = doc.text.split("\n")
        spans = []
        for block in blocks:
            start = offsets[block.line_start - 1] + (len(lines[block.line_start - 1]) -
                                                      len(lines[block.line_start - 1].lstrip()))
            last = lines[block.line_end - 1]
            end = offsets[block.line_end - 1] + len(last.rstrip())
            span = _span(doc, start, end)
            if span is None:
                continue
            span._.section = block.section
            span._.section_confidence = block.confidence
            span._.section_scores = dict(block.scores)
            span._.block_kind = block.kind
            span._.heading_path = list(block.heading_path)
            span._.line_start, span._.line_end = block.line_start, block.line_end
            spans.append(span)
        doc.spans[BLOCKS_KEY] = spans
        doc._.report_blocks = blocks

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.predict(doc))
        return doc


class ReportFigures:
    """Mark every figure mention as an entity (AMOUNT, PERCENT, COUNT, SCORE, QUANTITY)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        self._extractor: Any = None

    @property
    def extractor(self) -> Any:
        if self._extractor is None:
            from nlp.figures import FigureExtractor

            self._extractor = FigureExtractor.load()
        return self._extractor

    def predict(self, doc: Doc) -> list[Figure]:
        from nlp.structure import parse

        document = _document_of(doc)
        blocks = doc._.report_blocks if doc._.report_blocks is not None else parse(document)
        return self.extractor.extract(document, blocks)

    def set_annotations(self, doc: Doc, figures: list[Figure]) -> None:
        offsets = _line_offsets(doc.text.split("\n"))
        ents: list[Span] = []
        taken: set[int] = set()
        for fig in sorted(figures, key=lambda f: (f.line, f.start, -f.end)):
            base = offsets[fig.line - 1]
            span = _span(doc, base + fig.start, base + fig.end)
            if span is None or any(i in taken for i in range(span.start, span.end)):
                continue  # spaCy entities may not overlap (e.g. a figure inside a token run)
            ent = Span(doc, span.start, span.end, label=ENTITY_LABELS.get(fig.kind, "QUANTITY"))
            ent._.value, ent._.unit, ent._.metric = fig.value, fig.unit, fig.metric
            ent._.figure_label, ent._.figure_confidence = fig.label, fig.confidence
            ent._.comparator, ent._.line = fig.comparator, fig.line
            taken.update(range(span.start, span.end))
            ents.append(ent)
        doc.set_ents(ents, default="unmodified")

    def __call__(self, doc: Doc) -> Doc:
        self.set_annotations(doc, self.predict(doc))
        return doc


def use_domain_dictionary(nlp: Language) -> None:
    """Point a jieba-segmenting Chinese tokenizer at our own jieba instance (domain dictionary)."""
    tokenizer = nlp.tokenizer
    if getattr(tokenizer, "segmenter", None) == "jieba" or str(getattr(tokenizer, "segmenter", "")).endswith("jieba"):
        from nlp.segment import get_segmenter

        tokenizer.jieba_seg = get_segmenter().tokenizer


@Language.factory("report_sections", default_config={"model": None, "domain_dictionary": True})
def make_report_sections(nlp: Language, name: str, model: str | None, domain_dictionary: bool) -> ReportSections:
    """Block spans with section labels; with ``domain_dictionary`` the jieba tokenizer gets our words."""
    _register_extensions()
    if domain_dictionary:
        use_domain_dictionary(nlp)
    return ReportSections(nlp, name, model)


@Language.factory("report_figures")
def make_report_figures(nlp: Language, name: str) -> ReportFigures:
    _register_extensions()
    return ReportFigures(nlp, name)


def blank_pipeline(model: str | None = None) -> Language:
    """``spacy.blank("zh")`` with the jieba segmenter and both report components."""
    import spacy

    nlp_zh = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp_zh.add_pipe("report_sections", config={"model": model})
    nlp_zh.add_pipe("report_figures")
    return nlp_zh
