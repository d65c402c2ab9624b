"""Check kinds over the evaluation: the total score and the rating band."""

from __future__ import annotations

from decimal import Decimal

from pipeline.audit.checks.base import Hit, Tally, evid, kind, show
from pipeline.model import Record

# Half-open bands (DOMAIN §1.1): 90 is 优, 89.6 is 良.
DEFAULT_BANDS = [["优", 90, 100], ["良", 80, 90], ["中", 60, 80], ["差", 0, 60]]


def band_for(score: Decimal, bands: list) -> str | None:
    for name, low, high in bands:
        if Decimal(str(low)) <= score < Decimal(str(high)) or (score == Decimal(str(high)) == Decimal(100)):
            return name
    return None


@kind("rating_band", values=("score", "rating", "expected"), bands=DEFAULT_BANDS)
def check_rating_band(record: Record, params: dict, tally: Tally):
    score, rating = record.score, record.rating
    if score is None or rating is None:
        return
    tally.ran()
    expected = band_for(score.value, params["bands"])
    if expected is None or expected == rating:
        return
    ev = evid(score) + ([record.rating_evidence] if record.rating_evidence else [])
    yield Hit("evaluation", {"score": show(score), "rating": rating, "expected": expected},
              ev, stated=rating, expected=expected, suggestion=expected, gross=True)


@kind("score_range", values=("score", "high"), low=0, high=100)
def check_score_range(record: Record, params: dict, tally: Tally):
    score = record.score
    if score is None:
        return
    tally.ran()
    if Decimal(str(params["low"])) <= score.value <= Decimal(str(params["high"])):
        return
    yield Hit("evaluation", {"score": show(score), "high": params["high"]}, evid(score),
              stated=show(score), expected=f"{params['low']}–{params['high']}分")
