"""An upload's name must not say another type than its bytes: ``photo.exe`` holding a JPEG is refused.

The type an attachment is checked by is sniffed from its bytes (:mod:`aftersales.domain.media_types`),
but the name is what people download it under and what their system opens it by: a JPEG named ``.exe``
is offered as a program (Windows tries to run it), a PDF named ``.jpg`` opens in nothing. Storing it
under another name than the uploader gave would surprise them, and serving a name other than the one
listed would surprise the reader; so the upload is refused, naming ``name``, the extension, what the bytes
are and the extension to use (rule ``extension_contradicts``). The uploader renames and sends it again.

Only an extension this table knows can contradict: a name without one, or with one it does not know
(``.dat``), is taken as it is (the sniffed type decides, as before). Extensions of programs and scripts
(``.exe``, ``.bat``, ``.js``…) fit only executable types, which every desk refuses anyway, so any file
named so is refused. As Windows does, trailing dots and spaces are dropped (``photo.exe.`` is saved as
``photo.exe``), and the name is NFKC-normalised and case-folded (``ＰＨＯＴＯ．ＥＸＥ``).

The extension is read as a reader sees it and as a system saves it (session 36): invisible format
characters (zero-width space and joiners, word joiner, byte-order mark, soft hyphen, bidi marks: Unicode
category Cf) are dropped first, so ``photo.pdf\u200b`` is a ``.pdf`` that shows as one; and NTFS saves
``a.exe:stream`` as a stream of ``a.exe`` (``a.jpg::$DATA`` as ``a.jpg`` itself), so the part before the
first colon is read too, and both readings must fit. Bidi controls are refused before this
(:mod:`aftersales.domain.upload_names`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from aftersales.domain.media_types import EXECUTABLE_TYPES
from aftersales.errors import ValidationError

__all__ = ["EXTENSION_TYPES", "check_upload_extension", "extension_of", "extensions_read"]

_JPEG = frozenset({"image/jpeg"})
_HEIF = frozenset({"image/heic", "image/heif"})
_VIDEO = frozenset({"video/mp4", "video/quicktime"})  # phones name either container either way
_TIFF = frozenset({"image/tiff"})
_ZIP = frozenset(
    {
        "application/zip",  # an Office file whose first entry is not its folder sniffs as a plain zip
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
_OLE = frozenset({"application/x-ole-storage"})
_TEXT = frozenset({"text/plain", "application/octet-stream"})  # text not in UTF-8 (GBK) sniffs as bytes
_PROGRAM = EXECUTABLE_TYPES
_PROGRAM_EXTENSIONS = (
    "exe com scr pif msi msp dll cpl bat cmd ps1 vbs vbe js jse wsf wsh hta lnk reg jar sh app apk elf"
)

EXTENSION_TYPES: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        **dict.fromkeys(("jpg", "jpeg", "jpe", "jfif"), _JPEG),
        "png": frozenset({"image/png"}),
        "gif": frozenset({"image/gif"}),
        **dict.fromkeys(("bmp", "dib"), frozenset({"image/bmp"})),
        **dict.fromkeys(("tif", "tiff"), _TIFF),
        "webp": frozenset({"image/webp"}),
        **dict.fromkeys(("heic", "heif"), _HEIF),
        "avif": frozenset({"image/avif"}),
        **dict.fromkeys(("mp4", "m4v", "mov"), _VIDEO),
        "pdf": frozenset({"application/pdf"}),
        **dict.fromkeys(("docx", "xlsx", "pptx", "zip"), _ZIP),
        **dict.fromkeys(("doc", "xls", "ppt", "msg"), _OLE),
        **dict.fromkeys(("txt", "csv", "log", "json", "xml", "md"), _TEXT),
        **dict.fromkeys(_PROGRAM_EXTENSIONS.split(), _PROGRAM),
    }
)
"""Each known extension (case-folded, no dot) and the sniffed types a file so named may be."""

_SUGGESTED: Mapping[str, str] = MappingProxyType(
    {
        "image/jpeg": ".jpg",
        "image/png": ".png",
        "image/gif": ".gif",
        "image/bmp": ".bmp",
        "image/tiff": ".tif",
        "image/webp": ".webp",
        "image/heic": ".heic",
        "image/heif": ".heif",
        "image/avif": ".avif",
        "video/mp4": ".mp4",
        "video/quicktime": ".mov",
        "application/pdf": ".pdf",
        "application/zip": ".zip",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
        "application/x-ole-storage": ".doc",
        "text/plain": ".txt",
        "application/octet-stream": ".bin",
    }
)
"""The extension to name a file of each type by (every type a desk may accept: executables it never does)."""


def extension_of(name: str) -> str:
    """The extension of ``name`` as a system opens the file by it: NFKC, case-folded, without the dot,
    invisible format characters and trailing dots and spaces (``"Photo.JPG\u200b "`` → ``"jpg"``); ``""``
    when it has none. A name that is only an extension has it (``".exe"``): Windows opens that file by
    it, as a program."""
    shown = unicodedata.normalize("NFKC", name)
    if not shown.isascii():  # zero-width and other format characters show nothing: the reader sees past them
        shown = "".join(ch for ch in shown if unicodedata.category(ch) != "Cf")
    _base, dot, extension = shown.rstrip(". ").rpartition(".")
    return extension.casefold() if dot else ""


def extensions_read(name: str) -> tuple[str, ...]:
    """The extensions ``name`` is opened by: :func:`extension_of` the whole name, and of the part before
    its first colon when it has one (NTFS saves ``a.exe:stream`` as a stream of the file ``a.exe``)."""
    whole = extension_of(name)
    file, colon, _stream = unicodedata.normalize("NFKC", name).partition(":")
    if not colon:
        return (whole,)
    return tuple(dict.fromkeys((whole, extension_of(file))))


def check_upload_extension(name: str, media_type: str) -> None:
    """Refuse ``name`` when its extension is one of :data:`EXTENSION_TYPES` that ``media_type`` (sniffed
    from the bytes) is not: ``ValidationError`` naming ``name``, rule ``extension_contradicts``."""
    for extension in extensions_read(name):
        fits = EXTENSION_TYPES.get(extension)
        if fits is not None and media_type not in fits:
            _refuse(name, extension, media_type)


def _refuse(name: str, extension: str, media_type: str) -> None:
    """Raise the refusal of ``name``, read as ``.extension``, for bytes of ``media_type``."""
    expected = _SUGGESTED.get(media_type, ".bin")
    raise ValidationError(
        f"{name!r} is named .{extension} but its content is {media_type}: name it {expected}"
        " (a file is opened by its extension, so the name must say what it is)",
        field="name",
        rule="extension_contradicts",
        rule_params={"extension": f".{extension}", "sniffed": media_type, "expected": expected},
    )
