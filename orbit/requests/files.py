"""Which files may be attached to a request: an allow-list checked by extension AND by the first bytes.

A file named `invoice.pdf` that is really an executable is refused; so is a `.txt` with binary content.
"""

from dataclasses import dataclass

_ZIP = (b"PK\x03\x04", b"PK\x05\x06")
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # old Word/Excel/PowerPoint


@dataclass(frozen=True)
class FileKind:
    content_type: str
    magic: tuple[bytes, ...] = ()  # the file must start with one of these; empty: text
    text: bool = False


ALLOWED: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", (b"%PDF-",)),
    "png": FileKind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": FileKind("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": FileKind("image/webp", (b"RIFF",)),
    "doc": FileKind("application/msword", _OLE),
    "xls": FileKind("application/vnd.ms-excel", _OLE),
    "ppt": FileKind("application/vnd.ms-powerpoint", _OLE),
    "docx": FileKind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ZIP),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ZIP),
    "pptx": FileKind("application/vnd.openxmlformats-officedocument.presentationml.presentation", _ZIP),
    "odt": FileKind("application/vnd.oasis.opendocument.text", _ZIP),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", _ZIP),
    "rtf": FileKind("application/rtf", (b"{\\rtf",)),
    "zip": FileKind("application/zip", _ZIP),
    "txt": FileKind("text/plain", text=True),
    "csv": FileKind("text/csv", text=True),
}

SNIFF_BYTES = 2048


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _looks_like_text(head: bytes) -> bool:
    """No NUL bytes, and readable as UTF-8 (a character cut at the end of the block is fine) or Windows-1251."""
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data":
            return True
    try:
        head.decode("cp1251")
        return True
    except UnicodeDecodeError:
        return False


def sniff(name: str, head: bytes) -> FileKind | None:
    """The kind of the file if its extension is allowed and its first bytes agree; None otherwise."""
    kind = ALLOWED.get(extension_of(name))
    if kind is None:
        return None
    if kind.text:
        return kind if _looks_like_text(head) else None
    if not any(head.startswith(magic) for magic in kind.magic):
        return None
    if extension_of(name) == "webp" and head[8:12] != b"WEBP":
        return None
    return kind
