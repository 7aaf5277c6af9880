"""Plain text (.txt/.md): encoding detection, binary sniffing and newline normalisation.

Government reports arrive as UTF-8, GB18030/GBK (older Windows tools), UTF-16 (Notepad's
"Unicode") and occasionally Big5. We decode strictly where we can and tolerate a handful of
broken bytes (a truncated download) with a warning, so one bad byte does not lose a report.
"""
from __future__ import annotations

import re

from nlp.errors import BinaryInputError, EncodingError

# Signatures of formats that are certainly not text: named in the error so the user can fix the suffix.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (a .docx/.xlsx?)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an OLE file (a legacy .doc/.xls?)"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"\x7fELF", "an executable"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Control bytes that real text files contain; the rest mark binary data.
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1a\x1b")
_NEWLINES = re.compile(r"\r\n?")


def _bad_share(text: str, limit: int = 200_000) -> float:
    """Share of control characters (other than whitespace) in the first ``limit`` characters."""
    sample = text[:limit]
    if not sample or _CC_NOT_SPACE.search(sample) is None:  # (text almost never holds one)
        return 0.0
    bad = sum(1 for _ in _CC_NOT_SPACE.finditer(sample))
    return bad / len(sample)


# Unicode category Cc is exactly U+0000-U+001F and U+007F-U+009F; whitespace controls are not counted.
_CC_NOT_SPACE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS)


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from where the NUL bytes sit (ASCII chars have a zero high byte)."""
    sample = data[:65536]
    nuls = sample.count(0)
    if len(sample) < 4 or nuls < len(sample) * 0.1:
        return None
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    if odd >= 0.9 * nuls:
        return "utf-16-le"
    if even >= 0.9 * nuls:
        return "utf-16-be"
    return None


def _tolerant(data: bytes, encoding: str) -> tuple[str, int] | None:
    """Decode with replacement when only a few bytes are broken; ``None`` when too many are."""
    text = data.decode(encoding, errors="replace")
    broken = text.count("\ufffd") - data.decode(encoding, errors="ignore").count("\ufffd")
    if broken > max(1, len(data) // 2000):
        return None
    # Wrong-encoding bytes rarely form valid multi-byte characters: demand many good ones per bad one.
    good = sum(1 for ch in text if ord(ch) > 0x7F and ch != "\ufffd")
    if good < 20 * broken:
        return None
    return text, broken


# Frequent characters of Chinese prose and of these reports, in simplified and traditional forms.
# Bytes decoded with the wrong codec come out as rare characters, so a count of these tells the
# right reading of text that GB18030 and Big5 both decode, even a short one.
_COMMON_CJK = frozenset(
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而"
    "方后多定行学法所民得经十三之进着等部度家力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开"
    "合还因由其些然前外天政四日那社义事平形相全表间样与关各重新内数正心明看原又利比或质第向此变条只没结解问意"
    "建月公无系情者最立代已通并提直题程展五果员位入常文总次品式活设及管特件长求基资流级少图统接知较将组见计别"
    "期根论运农指几九区强放决被做必先回则任取据处南给门即保治北造百规领七海口东导增济术极交受联认六共权收证改"
    "清美再采转更单切教带安场车例真务具万每目至达积示议报完类八华名确才科张信节话整元况今集传许步群广记需段研"
    "界律究观织算低持众书复容须际商非验连深难近千周委素技备半办省列习响约支般史感劳便团往历市何除消构府称准精"
    "值号率维划选标写存快效院查型按格养易置层专状育识适属包住调满县局照参细引该价严预算绩评项目费拨购"
    "這為個國們來時說產種後學經進著電裡實兩體機當點從業應開還關與樣間內數質變條沒結問題建無係員資級圖統較將組"
    "見計別運農幾區強決則據處給門規領東導增濟術極聯認權證轉單帶場車務萬積議報類華確節話況傳許廣記須際驗連難辦"
    "項費撥預績評縣價嚴構稱準標選寫專狀屬滿調參細該"
)


def _cjk_score(text: str) -> int:
    """Common characters, minus private-use ones (a wrong GB18030 reading of Big5 yields those)."""
    return sum(1 if ch in _COMMON_CJK else -2 if "\ue000" <= ch <= "\uf8ff" else 0 for ch in text)


def _refuse_mojibake(text: str, encoding: str, name: str) -> None:
    """Shift-JIS or EUC-KR bytes often decode as GB18030 too, but only into rare characters.

    Chinese prose has well over half its characters among the common ones; such a reading has almost none.
    """
    han = [ch for ch in text[:100_000] if "\u3400" <= ch <= "\u9fff" or "\ue000" <= ch <= "\uf8ff"]
    if len(han) >= 100 and sum(ch in _COMMON_CJK for ch in han) < 0.2 * len(han):
        raise EncodingError(name, f"decodes as {encoding} only into rare characters: another encoding "
                                  "(Shift-JIS, EUC-KR …)?")


def _pick_cjk(data: bytes, candidates: list[str]) -> str:
    """Between GB18030 and Big5 (both decode the bytes): the reading with more common characters;
    on a tie, charset-normalizer's guess; GB18030 by default (mainland reports)."""
    scores = {enc: _cjk_score(data[:200_000].decode(enc, errors="ignore")) for enc in candidates}
    best_score = max(scores.values())
    leaders = [enc for enc in candidates if scores[enc] == best_score]
    if len(leaders) == 1:
        return leaders[0]
    try:
        from charset_normalizer import from_bytes

        guess = from_bytes(data[:200_000], cp_isolation=leaders).best()
    except Exception:  # noqa: BLE001 - detection is advisory; GB18030 is the safe default here
        guess = None
    if guess is not None and guess.encoding in leaders and len(data) >= 200:
        return guess.encoding
    return "gb18030"


def decode_bytes(data: bytes, name: str) -> tuple[str, str, list[str]]:
    """``(text, encoding, warnings)`` for the bytes of a text file, or raise Binary/EncodingError."""
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            body = data[len(bom):] if enc != "utf-8-sig" else data[3:]
            plain = enc.replace("-sig", "")
            try:
                return body.decode(plain), enc, warnings
            except UnicodeDecodeError:
                got = _tolerant(body, plain)
                if got is None:
                    raise EncodingError(name, f"starts with a {enc} byte-order mark but does not decode as {enc}") from None
                warnings.append(f"{got[1]} undecodable byte(s) replaced (U+FFFD)")
                return got[0], enc, warnings
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(name, f"the file is {what}, not text")
    guess16 = _utf16_without_bom(data)
    if guess16 is not None:
        try:
            text = data.decode(guess16)
        except UnicodeDecodeError:
            text = None
        if text is not None and _bad_share(text) < 0.01:
            return text, guess16, warnings
    if b"\x00" in data:
        raise BinaryInputError(name, "contains NUL bytes (binary data)")
    head = data[:65536]
    controls = len(head) - len(head.translate(None, _BINARY_CONTROLS))
    if head and controls / len(head) > 0.05:
        raise BinaryInputError(name, f"{controls / len(head):.0%} of the first bytes are control codes (binary data)")
    try:
        return data.decode("utf-8"), "utf-8", warnings
    except UnicodeDecodeError:
        pass
    # Mostly UTF-8 with a few broken bytes (a cut multi-byte character)? GBK read as UTF-8 breaks everywhere.
    got = _tolerant(data, "utf-8")
    if got is not None:
        warnings.append(f"{got[1]} undecodable byte(s) replaced (U+FFFD)")
        return got[0], "utf-8", warnings
    ok: list[str] = []
    for enc in ("gb18030", "big5"):
        try:
            data.decode(enc)
            ok.append(enc)
        except UnicodeDecodeError:
            continue
    if ok:
        enc = ok[0] if len(ok) == 1 else _pick_cjk(data, ok)
        text = data.decode(enc)
        _refuse_mojibake(text, enc, name)
        return text, enc, warnings
    got = _tolerant(data, "gb18030")
    if got is not None:
        warnings.append(f"{got[1]} undecodable byte(s) replaced (U+FFFD)")
        return got[0], "gb18030", warnings
    raise EncodingError(name, "not UTF-8, UTF-16, GB18030/GBK or Big5 (undecodable bytes)")


def check_text(text: str, name: str) -> None:
    """Refuse decoded text that is mostly control characters (binary data that happened to decode)."""
    share = _bad_share(text)
    if share > 0.05:
        raise BinaryInputError(name, f"{share:.0%} of the characters are control codes (binary data)")


def split_lines(text: str) -> list[str]:
    """Lines as a text editor numbers them: ``\\r\\n``, ``\\r`` and ``\\n`` each end one line."""
    return _NEWLINES.sub("\n", text).split("\n")
