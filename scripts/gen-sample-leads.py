#!/usr/bin/env python3
"""Generates examples/leads.jsonl: 200 realistic, varied sample leads.

Deterministic: a fixed seed, no clock, no network; running it twice gives the
same file byte for byte. Leads are spread over US-East, US-West, EMEA and other
countries, enterprise and SMB sizes, corporate and free-mail addresses, several
lead sources and the languages en/de/fr/es. created_at falls between Thursday
5 March and Monday 9 March 2026 (the US switches to daylight time on Sunday
8 March), partly inside and partly outside each region's working hours, and
engagement events happen in the days before each lead was created.

It also writes examples/lead.json, one of those leads on its own (an engaged
enterprise lead), for `leadrouter preview`.

Usage: scripts/gen-sample-leads.py [OUTPUT_DIR]   (default: examples/)
"""

import datetime as dt
import json
import random
import sys
import unicodedata
from pathlib import Path

SEED = 20260305
COUNT = 200

# (country, state, city, UTC offset in hours at the start of the sample week)
US_EAST = [
    ("US", "NY", "New York", -5), ("US", "MA", "Boston", -5), ("US", "PA", "Philadelphia", -5),
    ("US", "GA", "Atlanta", -5), ("US", "NC", "Charlotte", -5), ("US", "FL", "Miami", -5),
    ("US", "VA", "Arlington", -5), ("US", "NJ", "Newark", -5), ("US", "OH", "Columbus", -5),
]
US_WEST = [
    ("US", "CA", "San Francisco", -8), ("US", "CA", "Los Angeles", -8), ("US", "WA", "Seattle", -8),
    ("US", "OR", "Portland", -8), ("US", "CO", "Denver", -7), ("US", "AZ", "Phoenix", -7),
    ("US", "UT", "Salt Lake City", -7), ("US", "NV", "Las Vegas", -8),
]
EMEA = [
    ("DE", "BE", "Berlin", 1), ("DE", "BY", "Munich", 1), ("DE", "HH", "Hamburg", 1),
    ("FR", "IDF", "Paris", 1), ("FR", "ARA", "Lyon", 1), ("GB", "ENG", "London", 0),
    ("GB", "SCT", "Edinburgh", 0), ("ES", "MD", "Madrid", 1), ("ES", "CT", "Barcelona", 1),
    ("NL", "NH", "Amsterdam", 1), ("SE", "AB", "Stockholm", 1), ("CH", "ZH", "Zurich", 1),
    ("AT", "9", "Vienna", 1), ("IE", "D", "Dublin", 0), ("IT", "MI", "Milan", 1),
    ("AE", "DU", "Dubai", 4), ("ZA", "GP", "Johannesburg", 2),
]
OTHER = [
    ("BR", "SP", "São Paulo", -3), ("MX", "CMX", "Mexico City", -6), ("JP", "13", "Tokyo", 9),
    ("AU", "NSW", "Sydney", 11), ("IN", "KA", "Bengaluru", 5.5), ("SG", "", "Singapore", 8),
    ("CA", "ON", "Toronto", -5), ("CA", "BC", "Vancouver", -8),
]
REGIONS = [(US_EAST, 0.30), (US_WEST, 0.25), (EMEA, 0.33), (OTHER, 0.12)]

LANGUAGE = {"DE": "de", "AT": "de", "CH": "de", "FR": "fr", "ES": "es", "MX": "es"}
TLD = {"DE": "de", "AT": "at", "CH": "ch", "FR": "fr", "GB": "co.uk", "ES": "es", "NL": "nl",
       "SE": "se", "IE": "ie", "IT": "it", "BR": "com.br", "MX": "com.mx", "JP": "co.jp",
       "AU": "com.au", "IN": "in", "SG": "sg", "ZA": "co.za", "AE": "ae", "CA": "ca"}
LEGAL_SUFFIX = {"DE": ["GmbH", "AG", "SE"], "AT": ["GmbH"], "CH": ["AG"], "FR": ["SAS", "SA"],
                "GB": ["Ltd", "plc"], "IE": ["Ltd"], "ES": ["S.L.", "S.A."], "NL": ["B.V."],
                "SE": ["AB"], "IT": ["S.p.A.", "S.r.l."], "BR": ["Ltda."], "MX": ["S.A. de C.V."],
                "JP": ["K.K."], "AU": ["Pty Ltd"], "IN": ["Pvt Ltd"], "ZA": ["(Pty) Ltd"]}
US_SUFFIX = ["Inc.", "LLC", "Corp.", "Inc.", ""]

NAME_PARTS_A = ["Blue", "North", "Bright", "Iron", "Silver", "Cedar", "Quantum", "Harbor", "Summit",
                "Nova", "Atlas", "Pioneer", "Vertex", "Clear", "Granite", "Orbit", "Evergreen",
                "Falcon", "Lumen", "Meridian", "Polar", "Redwood", "Signal", "Tidal", "Vector"]
# The second word of a company name fits its industry.
NAME_PARTS_B = {
    "Software": ["Labs", "Systems", "Software", "Cloud", "Analytics"],
    "Financial Services": ["Capital", "Financial", "Partners", "Bank"],
    "Healthcare": ["Health", "Bio", "Medical", "Care"],
    "Manufacturing": ["Dynamics", "Works", "Robotics", "Industries"],
    "Retail": ["Retail", "Foods", "Goods", "Outfitters"],
    "Education": ["Learning", "Academy", "Education"],
    "Logistics": ["Logistics", "Freight", "Shipping"],
    "Media": ["Media", "Studios", "Publishing"],
    "Telecommunications": ["Networks", "Telecom", "Wireless"],
    "Energy": ["Energy", "Power", "Renewables"],
    "Government": ["Authority", "Agency", "Council"],
}

INDUSTRIES = [("Software", 0.24), ("Financial Services", 0.12), ("Healthcare", 0.10),
              ("Manufacturing", 0.12), ("Retail", 0.09), ("Education", 0.06),
              ("Logistics", 0.07), ("Media", 0.05), ("Telecommunications", 0.06),
              ("Energy", 0.05), ("Government", 0.04)]

FIRST_NAMES = {
    "en": ["James", "Olivia", "Michael", "Emma", "David", "Sophia", "Daniel", "Ava", "Ethan",
           "Mia", "Ryan", "Grace", "Priya", "Kenji", "Aisha", "Lucas", "Chloe", "Noah", "Zoe"],
    "de": ["Lukas", "Anna", "Jonas", "Lea", "Felix", "Marie", "Maximilian", "Sophie", "Jürgen",
           "Katrin"],
    "fr": ["Louis", "Camille", "Hugo", "Léa", "Julien", "Manon", "Théo", "Chloé", "Antoine"],
    "es": ["Pablo", "Lucía", "Javier", "Sofía", "Alejandro", "Carmen", "Diego", "Marta"],
}
LAST_NAMES = {
    "en": ["Smith", "Johnson", "Brown", "Taylor", "Wilson", "Patel", "Nguyen", "Garcia", "Kim",
           "O'Brien", "Anderson", "Clark", "Lewis", "Walker", "Tanaka", "Okafor", "Silva"],
    "de": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Hoffmann", "Koch"],
    "fr": ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Girard"],
    "es": ["García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro"],
}
TITLES_SENIOR = ["VP of Sales", "Chief Revenue Officer", "Head of Revenue Operations", "CTO",
                 "Director of Sales Operations", "VP Marketing", "CEO", "Head of IT",
                 "Director of Business Systems"]
TITLES_OTHER = ["Sales Operations Manager", "Marketing Manager", "Account Executive",
                "Software Engineer", "Business Analyst", "IT Manager", "Consultant",
                "Student", "Office Manager", "Data Analyst", "Founder"]
FREE_MAIL = {"de": ["gmail.com", "gmx.de", "web.de"], "fr": ["gmail.com", "orange.fr", "hotmail.fr"],
             "es": ["gmail.com", "hotmail.es", "yahoo.es"],
             "en": ["gmail.com", "outlook.com", "yahoo.com", "hotmail.com", "icloud.com"]}
LEAD_SOURCES = [("Web Form", 0.20), ("Demo Request", 0.16), ("Free Trial", 0.06), ("Webinar", 0.12),
                ("Content Download", 0.14), ("Paid Search", 0.12), ("Trade Show", 0.08),
                ("Referral", 0.08), ("Partner", 0.06), ("Cold Outbound", 0.04)]
PRODUCTS = ["routing", "scoring", "analytics", "platform"]
CAMPAIGNS = ["spring-launch-2026", "revops-summit", "g2-comparison", "webinar-speed-to-lead",
             "partner-referral-q1"]

# Engagement signals with how often they show up for an engaged lead.
EVENT_TYPES = [("page_view", 0.9), ("email_open", 0.6), ("email_click", 0.4),
               ("content_download", 0.35), ("pricing_page_view", 0.35),
               ("webinar_attended", 0.15), ("demo_request", 0.12), ("free_trial_signup", 0.06)]

WEEK_START = dt.datetime(2026, 3, 5, tzinfo=dt.timezone.utc)  # Thursday


def weighted(rng, items):
    r = rng.random() * sum(w for _, w in items)
    for item, w in items:
        r -= w
        if r <= 0:
            return item
    return items[-1][0]


def slug(text):
    # "Jürgen" -> "jurgen": addresses and domains stay ASCII.
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum())


def employees_for(rng, enterprise):
    if enterprise:
        return int(rng.choice([1000, 1200, 1500, 2000, 2500, 3500, 5000, 8000, 12000, 25000, 60000])
                   * rng.uniform(0.9, 1.1))
    return rng.choice([3, 8, 12, 20, 35, 50, 75, 120, 180, 250, 400, 600, 850])


def created_at(rng, country, state, utc_offset):
    # Mostly local business hours, some evenings and nights, across Thu-Mon.
    day = rng.randrange(5)
    roll = rng.random()
    if roll < 0.7:
        local_hour = rng.uniform(8.5, 18)
    elif roll < 0.9:
        local_hour = rng.uniform(18, 23)
    else:
        local_hour = rng.uniform(0, 8.5)
    local = WEEK_START + dt.timedelta(days=day, hours=local_hour)
    utc = local - dt.timedelta(hours=utc_offset)
    # The US and Canada (not Arizona) move their clocks forward on Sunday
    # 8 March 2026 at 02:00 local time.
    if country in ("US", "CA") and state != "AZ" and local >= dt.datetime(2026, 3, 8, 2, tzinfo=dt.timezone.utc):
        utc -= dt.timedelta(hours=1)
    return utc.replace(microsecond=0, second=rng.randrange(60))


def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def events_for(rng, created, lead_source, hot):
    engagement = max(rng.random(), 0.9) if hot else rng.random()
    if lead_source in ("Demo Request", "Free Trial"):
        engagement = max(engagement, 0.7)
    if engagement < 0.15:
        return []
    events = []
    for kind, p in EVENT_TYPES:
        if rng.random() < p * engagement:
            for _ in range(1 + int(rng.random() * 3 * engagement)):
                # Engagement bunches up in the days just before the form fill.
                ago = dt.timedelta(minutes=5 + int(60 * 24 * 21 * rng.random() ** 2.5))
                events.append({"type": kind, "at": iso(created - ago)})
    # The form that created the lead is its latest event.
    trigger = {"Demo Request": "demo_request", "Free Trial": "free_trial_signup"}.get(lead_source)
    if trigger and not any(e["type"] == trigger for e in events):
        events.append({"type": trigger, "at": iso(created - dt.timedelta(minutes=rng.randrange(1, 30)))})
    events.sort(key=lambda e: e["at"])
    return events


def make_lead(rng, index, used_companies):
    region = weighted(rng, REGIONS)
    country, state, city, utc_offset = rng.choice(region)
    language = LANGUAGE.get(country, "en")
    if country == "CH" and rng.random() < 0.3:
        language = "fr"
    if country == "US" and rng.random() < 0.05:
        language = "es"
    # About one lead in eight is a hot one: a decision maker at a well-sized
    # company in a core industry who asked for a demo after reading up.
    hot = rng.random() < 0.12
    enterprise = rng.random() < 0.35
    employees = employees_for(rng, enterprise)
    industry = weighted(rng, INDUSTRIES[:2] if hot else INDUSTRIES)
    if hot:
        employees = max(employees, rng.choice([220, 350, 600, 900]))

    while True:
        base = f"{rng.choice(NAME_PARTS_A)} {rng.choice(NAME_PARTS_B[industry])}"
        if base not in used_companies:
            used_companies.add(base)
            break
    suffix = rng.choice(LEGAL_SUFFIX.get(country, US_SUFFIX))
    company = f"{base} {suffix}".strip()
    tld = TLD.get(country, "com")
    if rng.random() < 0.4:
        tld = "com" if rng.random() < 0.8 else "io"
    domain = f"{slug(base)}.{tld}"

    names_lang = language if language in FIRST_NAMES else "en"
    first = rng.choice(FIRST_NAMES[names_lang])
    last = rng.choice(LAST_NAMES[names_lang])
    senior = hot or rng.random() < (0.55 if enterprise else 0.4)
    title = rng.choice(TITLES_SENIOR if senior else TITLES_OTHER)
    lead_source = "Demo Request" if hot else weighted(rng, LEAD_SOURCES)

    local_part = f"{slug(first)}.{slug(last)}"
    free_mail = not hot and rng.random() < (0.08 if enterprise else 0.28)
    if free_mail:
        email = f"{local_part}{rng.randrange(10, 99)}@{rng.choice(FREE_MAIL[names_lang])}"
    else:
        email = f"{local_part}@{domain}"

    source_system = "hubspot" if rng.random() < 0.55 else "salesforce"
    created = created_at(rng, country, state, utc_offset)
    lead = {
        "id": f"{'hs' if source_system == 'hubspot' else 'sf'}-{index + 1:04d}",
        "source_system": source_system,
        "object_type": "contact" if source_system == "hubspot" else "lead",
        "email": email,
        "first_name": first,
        "last_name": last,
        "title": title,
        "company": company,
    }
    if not free_mail or rng.random() < 0.5:
        lead["website"] = rng.choice([f"https://www.{domain}", f"https://{domain}/", f"www.{domain}"])
    lead["country"] = country
    if state:
        lead["state"] = state
    lead["city"] = city
    lead["industry"] = industry
    if rng.random() < 0.92:
        lead["employees"] = employees
    if rng.random() < 0.6:
        lead["annual_revenue"] = int(round(employees * rng.uniform(90_000, 320_000), -3))
    lead["lead_source"] = lead_source
    lead["language"] = language
    lead["created_at"] = iso(created)
    custom = {}
    if rng.random() < 0.6:
        custom["product_interest"] = rng.choice(PRODUCTS)
    if lead_source in ("Paid Search", "Webinar", "Content Download") or rng.random() < 0.2:
        custom["utm_campaign"] = rng.choice(CAMPAIGNS)
    if custom:
        lead["custom"] = custom
    events = events_for(rng, created, lead_source, hot)
    if events:
        lead["events"] = events
    return lead


def main():
    out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "examples"
    out = out_dir / "leads.jsonl"
    rng = random.Random(SEED)
    used = set()
    leads = [make_lead(rng, i, used) for i in range(COUNT)]
    # Routed in file order, as a CRM would deliver them: oldest first.
    leads.sort(key=lambda lead: (lead["created_at"], lead["id"]))
    with out.open("w", encoding="utf-8") as f:
        for lead in leads:
            f.write(json.dumps(lead, ensure_ascii=False, separators=(",", ":")) + "\n")
    showcase = next(lead for lead in leads
                    if lead.get("employees", 0) >= 1000 and len(lead.get("events", [])) >= 5
                    and lead["country"] == "DE")
    with (out_dir / "lead.json").open("w", encoding="utf-8") as f:
        f.write(json.dumps(showcase, ensure_ascii=False, indent=2) + "\n")
    print(f"wrote {len(leads)} leads to {out}, lead {showcase['id']} to {out_dir / 'lead.json'}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
