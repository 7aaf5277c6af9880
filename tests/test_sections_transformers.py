"""`nlp train sections --backend transformers` end to end with a tiny random BERT built here."""
from __future__ import annotations

import json

import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

from typer.testing import CliRunner  # noqa: E402

from nlp.cli import app  # noqa: E402
from nlp.document import SECTION_LABELS  # noqa: E402


@pytest.fixture(scope="module")
def trained(tmp_path_factory, sample_dir):
    from nlp.integrations.transformers_backend import train_command
    from nlp.integrations.transformers_sections import make_tiny_bert

    tmp = tmp_path_factory.mktemp("tf")
    texts = [p.read_text(encoding="utf-8") for p in sorted((sample_dir / "txt").glob("*.txt"))]
    base = make_tiny_bert(tmp / "tiny-bert", texts)
    out = tmp / "model"
    meta = train_command(gold_dirs=[sample_dir / "gold"], out=out, base_model=base, epochs=1,
                         batch_size=32, include_silver=False)
    return out, meta


@pytest.mark.slow
def test_artefact_layout_and_meta(trained):
    out, meta = trained
    saved = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert saved["backend"] == "transformers" and saved["labels"] == list(SECTION_LABELS)
    assert saved["training_data"]["gold_documents"] >= 10 and len(saved["training_data"]["sha256"]) == 64
    assert 0.0 <= saved["cv_metrics"]["accuracy"] <= 1.0
    assert (out / "encoder" / "config.json").exists()


@pytest.mark.slow
def test_prediction_uses_the_artefact(trained, sample_dir):
    out, _ = trained
    report = sample_dir / "txt" / "s01_xinfang_zhengti.txt"
    result = CliRunner().invoke(app, ["sections", "--model", str(out), str(report)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["section"] in SECTION_LABELS for r in rows)
    assert all(abs(sum(r["scores"].values()) - 1) < 1e-3 for r in rows)


def test_missing_checkpoint_is_reported(tmp_path):
    result = CliRunner().invoke(app, ["train", "sections", "--backend", "transformers", "--out", str(tmp_path / "m")])
    assert result.exit_code != 0
    assert "--model" in str(result.exception) or "--model" in result.output
