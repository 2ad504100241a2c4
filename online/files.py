"""Checks every uploaded file before anything reaches storage: its type from its content (never its name or the
browser's claim), its size, and for a PDF that no stream inflates beyond a limit (a zip bomb is a few kilobytes of
FlateDecode that decode to gigabytes, and would stop any viewer or indexer that opens it).
"""
import zlib
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

ALLOWED_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
HEADER_BYTES = 8192
CHUNK = 64 * 1024


@dataclass(frozen=True)
class CheckedFile:
    upload: object  # the UploadedFile, rewound
    content_type: str
    extension: str
    size: int


def _name(upload) -> str:
    return getattr(upload, "name", "") or _("(không tên)")


def check_upload(upload) -> CheckedFile:
    """One file: not empty, within the per-file limit, a PDF, JPEG or PNG by its content, and no PDF bomb."""
    name = _name(upload)
    size = upload.size or 0
    if size == 0:
        raise ValidationError(_("Tệp “%(name)s” rỗng.") % {"name": name}, code="empty")
    if size > settings.ONLINE_FILE_MAX_BYTES:
        raise ValidationError(_("Tệp “%(name)s” lớn hơn %(limit)s cho phép.")
                              % {"name": name, "limit": filesizeformat(settings.ONLINE_FILE_MAX_BYTES)}, code="too_large")
    upload.seek(0)
    head = upload.read(HEADER_BYTES)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise ValidationError(_("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG (kiểm tra theo nội dung tệp).")
                              % {"name": name}, code="type")
    if kind.mime == "application/pdf":
        _check_pdf_streams(upload, name)
    upload.seek(0)
    return CheckedFile(upload=upload, content_type=kind.mime, extension=ALLOWED_TYPES[kind.mime], size=size)


def check_totals(checked: list[CheckedFile]) -> None:
    """The files of one request together: their number and their total size."""
    if len(checked) > settings.ONLINE_MAX_FILES:
        raise ValidationError(_("Chỉ được nộp tối đa %(count)d tệp mỗi lần.") % {"count": settings.ONLINE_MAX_FILES},
                              code="too_many")
    if sum(item.size for item in checked) > settings.ONLINE_TOTAL_MAX_BYTES:
        raise ValidationError(_("Tổng dung lượng các tệp vượt quá %(limit)s cho phép.")
                              % {"limit": filesizeformat(settings.ONLINE_TOTAL_MAX_BYTES)}, code="total_too_large")


def _bomb(name: str) -> ValidationError:
    return ValidationError(_("Tệp “%(name)s” có nội dung nén bất thường (giải nén quá %(limit)s); vui lòng xuất lại "
                             "tệp PDF hoặc nộp ảnh chụp.")
                           % {"name": name, "limit": filesizeformat(settings.ONLINE_PDF_MAX_DECODED_BYTES)},
                           code="pdf_bomb")


def _check_pdf_streams(upload, name: str) -> None:
    """Open the PDF with pypdf and inflate each FlateDecode stream with a bounded budget: the whole document may
    inflate to at most ONLINE_PDF_MAX_DECODED_BYTES, and a stream's declared decoded length (/DL) may not claim
    more. A PDF pypdf cannot read is refused: staff could not open it either."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError
    from pypdf.generic import ArrayObject, NameObject, StreamObject

    budget = settings.ONLINE_PDF_MAX_DECODED_BYTES
    try:
        reader = PdfReader(upload, strict=False)
        if reader.is_encrypted:
            raise ValidationError(_("Tệp “%(name)s” được đặt mật khẩu; vui lòng nộp tệp không mật khẩu.")
                                  % {"name": name}, code="encrypted")
        total = 0
        for number in range(1, _object_count(reader)):
            try:
                obj = reader.get_object(number)
            except (PyPdfError, ValueError, KeyError, TypeError):
                continue
            if not isinstance(obj, StreamObject):
                continue
            filters = obj.get(NameObject("/Filter"))
            filters = list(filters) if isinstance(filters, ArrayObject) else [filters]
            if "/FlateDecode" not in filters:
                continue
            declared = obj.get(NameObject("/DL"))
            if declared is not None and int(declared) > budget:
                raise _bomb(name)
            total += _inflated_size(obj._data, budget - total, name)
    except ValidationError:
        raise
    except Exception:  # pypdf raises many kinds on broken input; any of them means "not a readable PDF"
        raise ValidationError(_("Tệp “%(name)s” không đọc được như một tệp PDF.") % {"name": name},
                              code="pdf_broken") from None


def _object_count(reader) -> int:
    size = reader.trailer.get("/Size")
    return int(size) if size is not None else 0


def _inflated_size(data: bytes, budget: int, name: str) -> int:
    """Inflate `data` chunk by chunk, never holding more than CHUNK of output; over `budget` is a bomb."""
    inflater = zlib.decompressobj()
    produced = 0
    pending = data
    while pending:
        try:
            out = inflater.decompress(pending, CHUNK)
        except zlib.error:
            return produced  # a damaged stream: viewers skip it, it cannot inflate further
        produced += len(out)
        if produced > budget:
            raise _bomb(name)
        pending = inflater.unconsumed_tail
        if not out and not pending:
            break
    return produced
