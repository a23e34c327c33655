"""Rendering documents with LibreOffice (``soffice --headless --convert-to pdf``) and measuring
the PDF pages with pdfium (pypdfium2): page count, how far down each page is filled, text
positions. Used by the ``libreoffice``-marked tests."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

MM_PER_PT = 25.4 / 72


def soffice() -> str:
    """The LibreOffice binary; the tests that need it fail (not skip) without it: scripts/test.sh
    installs libreoffice-writer-nogui and libreoffice-calc-nogui."""
    path = shutil.which("soffice") or shutil.which("libreoffice")
    assert path, "LibreOffice (soffice) is not installed: apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
    return path


def to_pdf(data: bytes, suffix: str, workdir: Path | None = None) -> Path:
    """Convert a .docx / .xlsx (bytes) to PDF with LibreOffice; returns the PDF's path."""
    workdir = Path(workdir or tempfile.mkdtemp(prefix="kechuang-render-"))
    src = workdir / f"document{suffix}"
    src.write_bytes(data)
    profile = workdir / "profile"  # a private profile: parallel test workers do not share a lock
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(workdir), str(src)], check=True, capture_output=True, timeout=180)
    pdf = workdir / "document.pdf"
    assert pdf.exists(), f"LibreOffice produced no PDF for {src.name}"
    return pdf


@dataclass
class Page:
    number: int
    width_mm: float
    height_mm: float
    ink_top_mm: float | None  # the highest / lowest non-white pixel row in the body area
    ink_bottom_mm: float | None
    lines: list[tuple[str, float, float, float, float]]  # text, left, top, right, bottom (mm from top-left)

    def text(self) -> str:
        return "\n".join(t for t, *_ in self.lines)


def pages(pdf: Path, *, body_top_mm: float = 37, body_bottom_mm: float = 262, dpi: int = 60) -> list[Page]:
    """Every page with its ink extent between ``body_top_mm`` and ``body_bottom_mm`` (the page
    number below the 版心 is not counted) and its text lines with their boxes."""
    import numpy as np
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(pdf))
    out = []
    for i in range(len(doc)):
        page = doc[i]
        w_pt, h_pt = page.get_width(), page.get_height()
        image = np.asarray(page.render(scale=dpi / 72).to_pil().convert("L"))
        px_per_mm = image.shape[0] / (h_pt * MM_PER_PT)
        a, b = int(body_top_mm * px_per_mm), int(body_bottom_mm * px_per_mm)
        rows = np.where((image[a:b] < 200).any(axis=1))[0]
        tp = page.get_textpage()
        lines = []
        for k in range(tp.count_rects()):
            left, bottom, right, top = tp.get_rect(k)
            text = tp.get_text_bounded(left, bottom, right, top)
            lines.append((text, left * MM_PER_PT, (h_pt - top) * MM_PER_PT, right * MM_PER_PT,
                          (h_pt - bottom) * MM_PER_PT))
        out.append(Page(i + 1, w_pt * MM_PER_PT, h_pt * MM_PER_PT,
                        (a + rows[0]) / px_per_mm if len(rows) else None,
                        (a + rows[-1]) / px_per_mm if len(rows) else None, lines))
    doc.close()
    return out


def half_empty(pages_: list[Page], *, body_top_mm: float = 37, body_bottom_mm: float = 262) -> list[int]:
    """Numbers of the pages, the last excepted, whose body is filled less than half way down."""
    middle = body_top_mm + (body_bottom_mm - body_top_mm) / 2
    return [p.number for p in pages_[:-1] if p.ink_bottom_mm is None or p.ink_bottom_mm < middle]
