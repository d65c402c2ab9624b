"""CTC decoding that scores deletions as well as characters.

A CTC recogniser emits, for each horizontal frame of a text line, a probability for the
blank and for every character; the text is the best path with repeats merged and blanks
removed. The usual per-character score (the probability of the frame that emitted the
character) cannot see a character the path skipped: a smudged "6" in "96.01" can come
out as "9.01" with every remaining character scored 0.99. Here, in the blank frames
between two emitted characters, the probability left to characters other than those
two neighbours is the chance that a character was dropped there; it lowers the
confidence of both neighbours, so a dropped digit shows up as a doubtful one.
"""

from __future__ import annotations

BLANK = 0


def ctc_decode(probs, charset: list[str]) -> tuple[str, list[float]]:
    """Decode one line: (text, one confidence per character). `probs` is a (frames x
    classes) numpy array of probabilities; class 0 is the blank, `charset[k]` the
    character of class k."""
    best = probs.argmax(axis=1)
    text: list[str] = []
    conf: list[float] = []
    gap: list[int] = []  # blank frames since the last emitted character
    prev = BLANK
    for t, k in enumerate(best):
        k = int(k)
        if k == BLANK:
            gap.append(t)
        elif k != prev:
            last = int(best[gap[0] - 1]) if gap and gap[0] > 0 else BLANK
            doubt = max((dropped_mass(probs[g], last, k) for g in gap), default=0.0)
            if conf:
                conf[-1] = min(conf[-1], 1.0 - doubt)
            text.append(charset[k] if k < len(charset) else "")
            conf.append(min(float(probs[t, k]), 1.0 - doubt))
            gap = []
        prev = k
    return "".join(text), conf


def dropped_mass(row, left: int, right: int) -> float:
    """Probability that a blank frame is really a character other than its neighbours."""
    mass = 1.0 - float(row[BLANK])
    mass -= float(row[left]) if left != BLANK else 0.0
    mass -= float(row[right]) if right != left else 0.0
    return max(0.0, mass)
