"""Discount codes and tracking links of a brief (section 11 of the format).

A code reads as its slot: two characters of the platform and one of the tier, then four
characters drawn from a hash of the campaign and the slot, then one check character. Codes
use capitals and digits without 0, O, 1, I and L, which are misread when typed from a
screen or a phone; the check character catches a mistyped code when results come back.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from optimizer.errors import OptimizerError

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""The characters of every code: capitals and digits without 0, O, 1, I and L."""
CODE_LENGTH = (6, 12)
"""Fewest and most characters of a code."""
HASHED = 4
"""Characters drawn from the hash, between the prefix and the check character."""

PLATFORM_PREFIXES = {"tiktok": "TK", "instagram": "NS", "youtube": "YT", "linkedin": "KN"}
"""Prefixes of the platforms planners name most; any other platform takes the first two
characters of its name that the alphabet has."""
TIER_LETTERS = {"nano": "N", "micro": "M", "macro": "A", "mega": "G"}
"""The tier's character; any other tier takes the first character of its name the alphabet has."""

UTM_MEDIUM = "influencer"


def _letters(name: str, count: int, pad: str = "X") -> str:
    usable = [char for char in name.upper() if char in ALPHABET]
    return ("".join(usable) + pad * count)[:count]


def prefix(platform: str, tier: str) -> str:
    """The readable start of a slot's code: `TKM` for a TikTok micro creator."""
    head = PLATFORM_PREFIXES.get(platform.lower()) or _letters(platform, 2)
    return head + (TIER_LETTERS.get(tier.lower()) or _letters(tier, 1))


def check_character(body: str) -> str:
    """The character that ends a code: a weighted sum of the others' places in the alphabet,
    modulo its length (31, a prime), so one changed character or two swapped neighbours
    always change it."""
    total = sum((position + 1) * ALPHABET.index(char) for position, char in enumerate(body))
    return ALPHABET[total % len(ALPHABET)]


def is_valid(code: str) -> bool:
    """Whether `code` has the form of a code (alphabet, length) and its check character fits."""
    return (
        CODE_LENGTH[0] <= len(code) <= CODE_LENGTH[1]
        and all(char in ALPHABET for char in code)
        and check_character(code[:-1]) == code[-1]
    )


def _hashed(text: str) -> str:
    number = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")
    out = []
    for _ in range(HASHED):
        number, digit = divmod(number, len(ALPHABET))
        out.append(ALPHABET[digit])
    return "".join(out)


def make_codes(
    campaign: str,
    slots: Iterable[tuple[str, str, str]],
    existing: Collection[str] = (),
) -> list[str]:
    """One code per slot `(key, platform, tier)`, in order: derived from the campaign and the
    slot's key alone, so the same plan and campaign give the same codes; a code already taken
    (in this brief or in `existing`) is drawn again with a counter added to the hash."""
    taken = {code.strip().upper() for code in existing}
    codes = []
    for key, platform, tier in slots:
        head = prefix(platform, tier)
        for attempt in range(10_000):
            salt = "" if attempt == 0 else f"#{attempt}"
            body = head + _hashed(f"{campaign}\x1f{key}{salt}")
            code = body + check_character(body)
            if code not in taken:
                break
        else:  # pragma: no cover - 31**4 codes per prefix
            raise OptimizerError(f"no free code is left for {platform} {tier}")
        taken.add(code)
        codes.append(code)
    return codes


def slug(name: str) -> str:
    """A campaign name for a URL: lower case, words joined by hyphens (`DTC skincare 2026` is
    `dtc-skincare-2026`)."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "campaign"


def check_url(url: str) -> str:
    """The URL, or an error when it is not an absolute http(s) address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise OptimizerError(
            f"--url {url}: give an absolute web address such as https://shop.example.com/launch"
        )
    return url


def tracking_url(url: str, platform: str, campaign: str, code: str) -> str:
    """`url` with the UTM parameters of a slot added to its query; any other parameter it has
    is kept, and a UTM parameter it has already is replaced."""
    parts = urlsplit(url)
    ours = {
        "utm_source": platform,
        "utm_medium": UTM_MEDIUM,
        "utm_campaign": campaign,
        "utm_content": code,
    }
    kept = [(key, value) for key, value in parse_qsl(parts.query, keep_blank_values=True)]
    query = [(key, value) for key, value in kept if key not in ours] + list(ours.items())
    return urlunsplit(parts._replace(query=urlencode(query)))
