"""An e-mail written straight to its bytes, as the email package would lay it out, in a fraction of its time.

The dispatcher sends hundreds of messages a second; building each one as an `EmailMessage` and flattening it cost
more than the rest of a send put together (mostly re-parsing and re-folding every header). Here the structure is
fixed (text, or text and HTML as alternatives, then attachments), so it is written directly:
- headers in UTF-8 become RFC 2047 encoded words of at most 75 characters, one per folded line, split between
  characters, so that a mail reader joins them back into the exact text (no space lost or added);
- bodies are UTF-8 with CRLF line ends, in base64 lines of 76 characters, which keeps Vietnamese intact through
  any relay, including ones without 8BITMIME;
- a non-ASCII attachment name is written as RFC 2231 `filename*=utf-8''…`.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from email.utils import encode_rfc2231, formataddr, quote

__all__ = ["Part", "address_list", "encoded", "message_bytes"]

CRLF = "\r\n"
# UTF-8 bytes per encoded word: base64 turns 45 into 60 characters, "=?utf-8?b?" and "?=" make 72 (≤ 75).
_WORD_BYTES = 45
# A display name is one encoded word, as the email package writes it: readers differ on the space between two
# words inside a name (Python's keeps it, RFC 2047 drops it), so a name is split only beyond a line's length.
_NAME_BYTES = 600
# Longer plain headers are encoded too, so that they fold between words and no line passes RFC 5322's 998.
_PLAIN_MAX = 900
# A MIME token (RFC 2045): what a media type's two halves may be made of.
_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")

# One attached file: its name, its bytes and its media type ("application/pdf").
Part = tuple[str, bytes, str]


def encoded(value: str, word_bytes: int = _WORD_BYTES) -> str:
    """An unstructured header value: as is when it is short ASCII a reader cannot take for an encoded word,
    otherwise as encoded words of whole characters (`word_bytes` UTF-8 bytes each), folded one per line."""
    if value.isascii() and "=?" not in value and len(value) <= _PLAIN_MAX:
        return value
    words: list[bytes] = []
    chunk = b""
    for char in value:
        code = char.encode("utf-8")
        if len(chunk) + len(code) > word_bytes:
            words.append(chunk)
            chunk = b""
        chunk += code
    words.append(chunk)
    return f"{CRLF} ".join(f"=?utf-8?b?{base64.b64encode(word).decode('ascii')}?=" for word in words)


def address_list(pairs: Sequence[tuple[str, str]]) -> str:
    """Addresses (display name, addr-spec) for From, To or Cc: an ASCII name quoted where it must be, an accented
    one as an encoded word; one address per line once the list is long."""
    shown = [formataddr((name, addr)) if name.isascii() and "=?" not in name
             else f"{encoded(name, _NAME_BYTES)} <{addr}>"
             for name, addr in pairs]
    return (", " if sum(map(len, shown)) < _PLAIN_MAX else f",{CRLF} ").join(shown)


def _base64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii").replace("\n", CRLF)


def _text(body: str, subtype: str) -> str:
    # Line ends become CRLF inside the encoding, as the email package's SMTP policy writes them.
    data = b"\r\n".join(body.encode("utf-8").splitlines()) + b"\r\n"
    return f'Content-Type: text/{subtype}; charset="utf-8"{CRLF}Content-Transfer-Encoding: base64{CRLF}{CRLF}' + \
        _base64(data)


def _attachment(name: str, content: bytes, media_type: str) -> str:
    maintype, _, subtype = media_type.partition("/")
    subtype = subtype or "octet-stream"
    if not (_TOKEN.fullmatch(maintype) and _TOKEN.fullmatch(subtype)):
        raise ValueError(f"loại tệp “{media_type}” không đúng dạng loại/kiểu")
    filename = f'filename="{quote(name)}"' if name.isascii() else f"filename*={encode_rfc2231(name, 'utf-8')}"
    return (f"Content-Type: {maintype}/{subtype}{CRLF}Content-Transfer-Encoding: base64{CRLF}"
            f"Content-Disposition: attachment; {filename}{CRLF}{CRLF}" + _base64(content))


def _multipart(subtype: str, parts: list[str]) -> str:
    # Base64 lines never hold "." or "_", and the parts' own headers are ours: the boundary cannot occur inside.
    boundary = f"=_{subtype}.{secrets.token_hex(12)}"
    inner = "".join(f"--{boundary}{CRLF}{part}{CRLF}" for part in parts)
    return f'Content-Type: multipart/{subtype}; boundary="{boundary}"{CRLF}{CRLF}{inner}--{boundary}--{CRLF}'


def message_bytes(headers: Sequence[tuple[str, str]], text: str, html: str | None,
                  attachments: Sequence[Part]) -> bytes:
    """The whole message: `headers` (already encoded) then MIME-Version and the body, text and HTML as
    alternatives, attachments alongside; CRLF line ends throughout. ValueError for an unusable media type."""
    body = _text(text, "plain")
    if html:
        body = _multipart("alternative", [body, _text(html, "html")])
    if attachments:
        body = _multipart("mixed", [body, *(_attachment(*each) for each in attachments)])
    head = "".join(f"{name}: {value}{CRLF}" for name, value in headers)
    return f"{head}MIME-Version: 1.0{CRLF}{body}".encode("ascii")
