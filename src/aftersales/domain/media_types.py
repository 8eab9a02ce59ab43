"""Media types sniffed from a file's first bytes, never trusted from its name or the uploader.

A ``.exe`` renamed ``photo.jpg`` still starts with ``MZ``: :func:`sniff` says
``application/x-msdownload`` and the pack's allowed types refuse it. The table covers what a service
desk receives (photos, scans, PDFs, office documents, short videos) and the executables it must refuse.
"""

from __future__ import annotations

__all__ = ["EXECUTABLE_TYPES", "SNIFFED_TYPES", "SNIFF_BYTES", "sniff"]

SNIFF_BYTES = 512
"""How many leading bytes :func:`sniff` looks at."""

EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-executable",
        "application/x-mach-binary",
        "application/java-archive",
        "text/x-shellscript",
    }
)
"""Types that run code: never accepted, whatever a pack allows."""

_MAGIC: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"BM", "image/bmp"),
    (0, b"MZ", "application/x-msdownload"),
    (0, b"\x7fELF", "application/x-executable"),
    (0, b"\xcf\xfa\xed\xfe", "application/x-mach-binary"),
    (0, b"\xfe\xed\xfa\xcf", "application/x-mach-binary"),
    (0, b"\xca\xfe\xba\xbe", "application/x-mach-binary"),
    (0, b"#!", "text/x-shellscript"),
    (0, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "application/x-ole-storage"),
)

_FTYP = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"msf1": "image/heif",
    b"avif": "image/avif",
    b"isom": "video/mp4",
    b"iso2": "video/mp4",
    b"mp41": "video/mp4",
    b"mp42": "video/mp4",
    b"qt  ": "video/quicktime",
}


_ZIP_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/java-archive",
    "application/zip",
)

SNIFFED_TYPES = frozenset(
    {m for _, _, m in _MAGIC}
    | set(_FTYP.values())
    | set(_ZIP_TYPES)
    | {"image/webp", "text/plain", "application/octet-stream"}
)
"""Every type :func:`sniff` can say: a type outside it is never what an upload is found to be."""


def _zip_type(head: bytes) -> str:
    # Office files are zip archives whose first entry names the format.
    if b"word/" in head:
        return _ZIP_TYPES[0]
    if b"xl/" in head:
        return _ZIP_TYPES[1]
    if b"META-INF/MANIFEST.MF" in head:
        return _ZIP_TYPES[2]
    return _ZIP_TYPES[3]


def sniff(head: bytes) -> str:
    """The media type of a file starting with ``head`` (``application/octet-stream`` when unknown)."""
    for offset, magic, media_type in _MAGIC:
        if head[offset : offset + len(magic)] == magic:
            return media_type
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in _FTYP:
        return _FTYP[head[8:12]]
    if head[:4] == b"PK\x03\x04":
        return _zip_type(head)
    if not head:
        return "application/octet-stream"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(head) - 3:
            return "application/octet-stream"
        text = head[: exc.start].decode("utf-8")
    if all(ch.isprintable() or ch in "\r\n\t" for ch in text):
        return "text/plain"
    return "application/octet-stream"
