#!/usr/bin/env python3
"""Generates examples/backtest/: a lead history and its outcomes for `leadrouter backtest`.

history.jsonl holds 960 leads created over four weeks (Monday 2 February to
Sunday 1 March 2026, no clock change in that span), made by the same lead
generator as examples/leads.jsonl (scripts/gen-sample-leads.py) with its own
seed and timestamps. outcomes.csv says which of them converted, drawn from a
probability that rises with buying signals (demo requests, senior titles, core
industries, size) and falls for free-mail addresses and students.

Deterministic: fixed seeds, no clock, no network; two runs give the same files.

Usage: scripts/gen-backtest-history.py [OUTPUT_DIR]   (default: examples/backtest/)
"""

import datetime as dt
import importlib.util
import json
import random
import sys
from pathlib import Path

SEED = 20260202
OUTCOME_SEED = 20260302
COUNT = 960
DAYS = 28
MAX_EVENTS = 2
START = dt.datetime(2026, 2, 2, tzinfo=dt.timezone.utc)  # Monday

HERE = Path(__file__).resolve().parent
spec = importlib.util.spec_from_file_location("gen_sample_leads", HERE / "gen-sample-leads.py")
sample = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sample)


def created_at(rng, country, state, utc_offset):
    # Weekdays get most leads; within a day mostly local business hours.
    while True:
        day = rng.randrange(DAYS)
        if (START + dt.timedelta(days=day)).weekday() < 5 or rng.random() < 0.3:
            break
    roll = rng.random()
    if roll < 0.7:
        local_hour = rng.uniform(8.5, 18)
    elif roll < 0.9:
        local_hour = rng.uniform(18, 23)
    else:
        local_hour = rng.uniform(0, 8.5)
    local = START + dt.timedelta(days=day, hours=local_hour)
    utc = local - dt.timedelta(hours=utc_offset)
    return utc.replace(microsecond=0, second=rng.randrange(60))


class CompaniesMayRepeat:
    """The sample generator wants a unique company per lead; four weeks of
    history hold several leads from the same company (and there are fewer
    distinct names than leads)."""

    def __contains__(self, name):
        return False

    def add(self, name):
        pass


def conversion_probability(lead):
    p = 0.07
    if lead["lead_source"] in ("Demo Request", "Referral", "Partner"):
        p += 0.10
    title = lead.get("title", "")
    if title in sample.TITLES_SENIOR:
        p += 0.06
    if title == "Student":
        return 0.01
    if lead["industry"] in ("Software", "Financial Services"):
        p += 0.05
    if lead.get("employees", 0) >= 200:
        p += 0.04
    if any(e["type"] in ("demo_request", "free_trial_signup") for e in lead.get("events", [])):
        p += 0.05
    domain = lead["email"].split("@", 1)[1]
    if any(domain in domains for domains in sample.FREE_MAIL.values()):
        p -= 0.05
    return max(p, 0.01)


def main():
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent / "examples" / "backtest"
    out_dir.mkdir(parents=True, exist_ok=True)
    sample.created_at = created_at
    rng = random.Random(SEED)
    companies = CompaniesMayRepeat()
    leads = [sample.make_lead(rng, i, companies) for i in range(COUNT)]
    for lead in leads:
        # Only the latest few events matter to intent (they decay within days),
        # and they keep the example small.
        if "events" in lead:
            lead["events"] = lead["events"][-MAX_EVENTS:]
        # Campaign tags and the CRM object type play no part in the example
        # policies.
        lead.pop("custom", None)
        lead.pop("object_type", None)
    leads.sort(key=lambda lead: (lead["created_at"], lead["id"]))
    with (out_dir / "history.jsonl").open("w", encoding="utf-8") as f:
        for lead in leads:
            f.write(json.dumps(lead, ensure_ascii=False, separators=(",", ":")) + "\n")
    outcome_rng = random.Random(OUTCOME_SEED)
    converted = 0
    with (out_dir / "outcomes.csv").open("w", encoding="utf-8") as f:
        f.write("lead_id,converted\n")
        for lead in leads:
            won = outcome_rng.random() < conversion_probability(lead)
            converted += won
            f.write(f"{lead['id']},{'true' if won else 'false'}\n")
    print(f"wrote {len(leads)} leads ({converted} converted) to {out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
