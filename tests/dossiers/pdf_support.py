"""Reading the printed forms back: text with pypdf, QR codes through pypdfium2 and zxing-cpp, page sizes."""
import io
import unicodedata

import pypdf
import pypdfium2
import zxingcpp

POINTS_PER_MM = 72 / 25.4


def pdf_text(content: bytes) -> str:
    """All pages' text, NFC-normalised and with runs of whitespace collapsed (line breaks are layout)."""
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


def page_size_mm(content: bytes, page: int = 0) -> tuple[float, float]:
    box = pypdf.PdfReader(io.BytesIO(content)).pages[page].mediabox
    return round(float(box.width) / POINTS_PER_MM, 1), round(float(box.height) / POINTS_PER_MM, 1)


def page_count(content: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(content)).pages)


def qr_texts(content: bytes, page: int = 0, scale: float = 4) -> list[str]:
    """The text of every QR code on a page, rasterised as a printer would see it (scale 4 ≈ 288 dpi)."""
    document = pypdfium2.PdfDocument(content)
    try:
        image = document[page].render(scale=scale).to_pil()
    finally:
        document.close()
    return sorted(result.text for result in zxingcpp.read_barcodes(image) if result.format == zxingcpp.BarcodeFormat.QRCode)
