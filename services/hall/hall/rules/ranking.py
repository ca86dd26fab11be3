"""Satisfaction (满意率 ≥ 96%) and the monthly Sunshine Window (阳光窗口) ranking.

Each window's score is a weighted mean of parts in [0, 1]:
    votes         its votes / the most votes any window got
    satisfaction  satisfied ratings / ratings of its cases
    on_time       its on-time rate from the SLA service
    assessment    1 - its demerits / the most demerits any window got (1 when nobody has any)
A part with no data (no votes in the hall this month, no ratings for the window, no on-time
rate, SLA down) is left out of that window's mean, so missing data neither helps nor hurts.
Windows are ranked by score (higher first); equal scores share a rank; ties are listed by
votes, then window number. The month's Sunshine Window is the first of the ranking when it
scored and stands out: windows tied on score are told apart by votes (群众投票), and windows
tied on both (a month without votes or ratings, say) make no Sunshine Window.
The weights are configuration (``SUNSHINE_WEIGHTS``).
"""
SATISFACTION_TARGET = 0.96
PARTS = ("votes", "satisfaction", "on_time", "assessment")
DEFAULT_WEIGHTS = {"votes": 0.3, "satisfaction": 0.3, "on_time": 0.2, "assessment": 0.2}


def parse_weights(value):
    """The config mapping as {part: float}; unknown parts, negatives or all-zero are refused."""
    value = value or DEFAULT_WEIGHTS
    unknown = set(value) - set(PARTS)
    if unknown:
        raise ValueError(f"SUNSHINE_WEIGHTS: unknown parts {sorted(unknown)}; use {PARTS}")
    weights = {part: float(value.get(part, 0) or 0) for part in PARTS}
    if any(w < 0 for w in weights.values()) or sum(weights.values()) <= 0:
        raise ValueError(f"SUNSHINE_WEIGHTS must be non-negative and not all zero: {weights}")
    return weights


def rate(good, total):
    return round(good / total, 4) if total else None


def satisfaction_row(rated, satisfied):
    r = rate(satisfied, rated)
    return {"rated": rated, "satisfied": satisfied, "rate": r,
            "below_target": r is not None and r < SATISFACTION_TARGET}


def parts_of(row, max_votes, max_demerits):
    votes = row["votes"] / max_votes if max_votes else None
    assessment = 1 - row["demerits"] / max_demerits if max_demerits else 1.0
    return {"votes": votes, "satisfaction": row.get("satisfaction"),
            "on_time": row.get("on_time"), "assessment": assessment}


def score(parts, weights):
    used = {p: v for p, v in parts.items() if v is not None and weights[p] > 0}
    total = sum(weights[p] for p in used)
    return round(sum(weights[p] * v for p, v in used.items()) / total, 4) if total else 0.0


def rank_windows(rows, weights):
    """rows: [{"window", "votes", "satisfaction" (rate|None), "on_time" (rate|None),
    "demerits"}] -> the same rows with ``parts``, ``score`` and ``rank``, best first."""
    max_votes = max((r["votes"] for r in rows), default=0)
    max_demerits = max((r["demerits"] for r in rows), default=0)
    scored = []
    for row in rows:
        parts = parts_of(row, max_votes, max_demerits)
        scored.append({**row, "parts": {p: None if v is None else round(v, 4)
                                        for p, v in parts.items()},
                       "score": score(parts, weights)})
    scored.sort(key=lambda r: (-r["score"], -r["votes"], r["window"]))
    previous, rank = None, 0
    for position, row in enumerate(scored, start=1):
        if row["score"] != previous:
            rank, previous = position, row["score"]
        row["rank"] = rank
    return scored


def sunshine_window(ranked):
    """The month's Sunshine Window from ``rank_windows``' rows, or None (nobody scored, or the
    best are tied on score and on votes)."""
    if not ranked or ranked[0]["score"] <= 0:
        return None
    top = [r for r in ranked if r["rank"] == 1]
    if len(top) > 1 and top[1]["votes"] == top[0]["votes"]:
        return None
    return ranked[0]
