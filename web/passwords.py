"""The password rule of the dashboard's accounts: long enough and not easy to guess, as zxcvbn estimates it."""

from __future__ import annotations

from collections.abc import Mapping

from zxcvbn import zxcvbn

from formats import number

MIN_LENGTH = 12
# zxcvbn's score 3 is "safely unguessable: moderate protection from an offline slow-hash scenario" (≥ 10^8 guesses).
MIN_SCORE = 3
# zxcvbn looks only at the start of a long password: past this, length alone makes it strong, and the estimate
# would otherwise take seconds.
ANALYSED = 64
# Vietnamese words an office would reach for, which zxcvbn's English lists do not hold.
LOCAL_WORDS = ("matkhau", "mat-khau", "trienkhai", "quantri", "vanphong", "tinhuy", "huyenuy", "dangbo", "chibo",
               "tinhdoan", "admin", "vietnam", "hochiminh")
RULE = (f"mật khẩu phải dài ít nhất {MIN_LENGTH} ký tự và không dễ đoán: không nằm trong danh sách mật khẩu phổ "
        "biến, không là từ thông dụng, chuỗi phím, ký tự lặp, dãy liên tiếp, ngày tháng hay tên đăng nhập; nên dùng "
        "một cụm ba, bốn từ ít gặp nối với nhau")
_REASONS = {
    "passwords": "có trong danh sách mật khẩu phổ biến",
    "user_inputs": "chứa tên đăng nhập, tên đơn vị hoặc một từ quá quen thuộc như “matkhau”",
    "words": "là từ hoặc tên thông dụng",
    "spatial": "là chuỗi phím liền nhau trên bàn phím",
    "repeat": "lặp lại ký tự hoặc cụm ký tự",
    "sequence": "là dãy ký tự liên tiếp (như abc, 123)",
    "date": "là năm hoặc ngày tháng",
}


def _reason(match: Mapping[str, object]) -> str | None:
    pattern = match.get("pattern")
    if pattern == "dictionary":
        name = match.get("dictionary_name")
        return _REASONS["passwords" if name == "passwords" else "user_inputs" if name == "user_inputs" else "words"]
    if pattern == "regex":  # zxcvbn's only regex is a recent year
        return _REASONS["date"]
    return _REASONS.get(str(pattern))


def password_problem(password: str, *, hints: tuple[str, ...] = ()) -> str | None:
    """A password is accepted when it has at least MIN_LENGTH characters and zxcvbn (its lists of common passwords,
    words and names, keyboard walks, repeats, sequences and dates, plus the account's own name and unit as `hints`)
    scores it at least MIN_SCORE; otherwise the Vietnamese sentence saying why and what the rule is."""
    if len(password) < MIN_LENGTH:
        return f"mật khẩu chỉ có {number(len(password))} ký tự; {RULE}"
    inputs = [h.lower() for h in (*hints, *LOCAL_WORDS) if h]
    result = zxcvbn(password[:ANALYSED], user_inputs=inputs)
    if result["score"] >= MIN_SCORE:
        return None
    reasons = dict.fromkeys(r for r in map(_reason, result["sequence"]) if r)
    why = "; ".join(reasons) or "chưa đủ phức tạp"
    return f"mật khẩu dễ đoán ({why}); {RULE}"
