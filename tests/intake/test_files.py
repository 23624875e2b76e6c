"""Documents as they arrive: .docx, .pdf with text, and the refusals (scan, password, not a plan, too large)."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st
from pypdf import PdfWriter

from intake import IntakeError, draft_from_text, draft_plan, read_document, render_draft, text as intake_text
from intake.score import score_draft

SEED = Path(__file__).parent / "corpus" / "001_56617185eac91c76.txt"
SEEDS = sorted((Path(__file__).parent / "corpus").glob("*.txt"))


def _docx(path: Path) -> Path:
    document = docx.Document()
    for line in SEED.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    document.save(str(path))
    return path


def test_docx_reads_like_the_text(tmp_path: Path) -> None:
    draft, text = draft_plan(_docx(tmp_path / "47-KH-TU.docx"))
    assert draft.number is not None and draft.number.value == "47-KH/TU"
    assert draft.issued_on is not None and str(draft.issued_on.value) == "2017-03-22"
    assert [s.name.value for s in draft.signers if s.name] == ["Nguyễn Văn Hùng"]
    assert "trước ngày 30/6/2017" in text


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by ./dev test")
def test_pdf_with_text_layer(tmp_path: Path) -> None:
    source = _docx(tmp_path / "ke-hoach.docx")
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    draft, _ = draft_plan(tmp_path / "ke-hoach.pdf")
    assert draft.number is not None and draft.number.value == "47-KH/TU"
    assert any(d.phrase.value == "trước ngày 30/6/2017" for d in draft.deadlines)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by ./dev test")
def test_pdf_wrapped_lines_read_as_the_text(tmp_path: Path) -> None:
    # The PDF wraps the long "Thực hiện …" paragraph; both parents and every field still read as from the text.
    seed = SEEDS[2]
    document = docx.Document()
    for line in seed.read_text(encoding="utf-8").split("\n"):
        document.add_paragraph(line)
    document.save(str(tmp_path / "89.docx"))
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(tmp_path / "89.docx")], check=True, capture_output=True, timeout=180)
    draft, _ = draft_plan(tmp_path / "89.pdf")
    fixture = yaml.safe_load(seed.with_suffix(".yaml").read_text(encoding="utf-8"))
    scores = score_draft(draft, fixture)
    assert {name: (s.right, s.wrong) for name, s in scores.items()} == {
        name: (s.expected, []) for name, s in scores.items()}


def _refused(path: Path) -> str:
    with pytest.raises(IntakeError) as caught:
        draft_plan(path)
    return str(caught.value)


def test_scanned_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    path = tmp_path / "quet.pdf"
    writer.write(str(path))
    assert "không có lớp chữ (bản quét" in _refused(path)


def test_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.encrypt("matkhau", algorithm="RC4-128")
    path = tmp_path / "mat-khau.pdf"
    writer.write(str(path))
    assert "được mã hóa (có mật khẩu)" in _refused(path)


def test_not_a_plan_and_broken_files_are_refused(tmp_path: Path) -> None:
    note = tmp_path / "ghi-chu.txt"
    note.write_text("Chiều nay họp chi bộ lúc 14h00, nhớ mang sổ.\n", encoding="utf-8")
    assert "không phải một văn bản chỉ đạo" in _refused(note)
    broken = tmp_path / "hong.docx"
    broken.write_bytes(b"PK\x03\x04 not really")
    assert "không phải văn bản Word .docx hợp lệ" in _refused(broken)
    other = tmp_path / "anh.png"
    other.write_bytes(b"\x89PNG")
    assert "chỉ nhận văn bản .docx, .pdf" in _refused(other)


def test_file_over_the_size_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(intake_text, "MAX_DOCUMENT_BYTES", 1_000_000)
    big = tmp_path / "lon.txt"
    big.write_bytes(SEED.read_bytes() * 200)
    assert "lớn hơn giới hạn" in _refused(big)


def test_cli_writes_nothing_when_refused(tmp_path: Path) -> None:
    import os
    import sys

    note = tmp_path / "ghi-chu.txt"
    note.write_text("không có gì\n", encoding="utf-8")
    out = tmp_path / "nhap.yaml"
    run = subprocess.run([sys.executable, "-m", "cli.main", "plan", "draft", str(note), "-o", str(out)],
                         env={**os.environ, "TRIENKHAI_HOME": str(tmp_path)}, capture_output=True, text=True,
                         cwd=Path(__file__).parents[2])
    assert run.returncode != 0
    assert "không viết bản nháp" in run.stderr
    assert not out.exists()


def test_windows_1258_text_is_read(tmp_path: Path) -> None:
    path = tmp_path / "cu.txt"
    # "ơ" + a combining acute: the code page writes tones as separate marks; the text comes back NFC.
    path.write_bytes("Đông Hà, th\u01a1\u0301".encode("cp1258"))
    assert read_document(path) == "Đông Hà, thớ"


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    lines = draw(st.sampled_from(SEEDS)).read_text(encoding="utf-8").split("\n")
    lines = draw(st.permutations(lines)) if draw(st.booleans()) else lines
    start = draw(st.integers(0, len(lines)))
    lines = lines[start: start + draw(st.integers(0, len(lines)))]
    text = "\n".join(lines)
    cut = draw(st.integers(0, len(text)))
    text = text[:cut] + draw(st.text(max_size=40)) + text[cut:]
    encoding = draw(st.sampled_from(["utf-8", "cp1258", "utf-16"]))
    # Re-encoded and read back as the wrong code page: the mojibake offices send.
    return text.encode(encoding, errors="replace").decode(draw(st.sampled_from(["utf-8", "latin-1"])),
                                                          errors="replace")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mangled())
def test_odd_text_never_crashes_the_drafter(text: str) -> None:
    try:
        draft = draft_from_text(text)
    except IntakeError as exc:
        assert "không phải một văn bản chỉ đạo" in str(exc)
        return
    assert isinstance(render_draft(draft), str)


def test_docx_header_table_is_read_in_place(tmp_path: Path) -> None:
    # Word plans lay the header out as a two-column table above the title.
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "TỈNH ỦY QUẢNG TRỊ\n*\nSố 47-KH/TU"
    table.cell(0, 1).text = "ĐẢNG CỘNG SẢN VIỆT NAM"
    table.cell(1, 0).merge(table.cell(1, 1)).text = "Đông Hà, ngày 22 tháng 3 năm 2017"
    lines = SEED.read_text(encoding="utf-8").split("\n")
    for line in lines[lines.index("KẾ HOẠCH"):]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    path = tmp_path / "bang.docx"
    path.write_bytes(buffer.getvalue())
    draft, _ = draft_plan(path)
    assert draft.number is not None and draft.number.value == "47-KH/TU"
    assert draft.issuer is not None and draft.issuer.value == "Tỉnh ủy Quảng Trị"
    assert draft.place is not None and draft.place.value == "Đông Hà"
    assert draft.issued_on is not None and str(draft.issued_on.value) == "2017-03-22"
