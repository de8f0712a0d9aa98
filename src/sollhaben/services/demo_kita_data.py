"""The Kita statute of the demo Träger (Kita-Verbund Musterstadt e. V.): fee groups with their
versions and tier tables, discounts, extra costs and the settings of its three facilities.

Two statutes side by side, as a Träger with facilities in two municipalities has them:

- **Württemberg model** (Kita Sonnenschein, Kinderhaus Am Park): the tier is the number of children
  under 18 in the household (1, 2, 3, 4 = four or more). The amounts follow the style of the joint
  recommendation of the Baden-Württemberg municipal associations and churches: a table per care
  scope, raised each Kindergarten year (September), eleven instalments (August free) in
  Sonnenschein.
- **Income-dependent statute** (Kita Regenbogen): six tiers per care scope, INCOME groups: the tier
  comes from the child's income-scale calculation (Staffelberechnung, `demo_kita_income`), whose
  configuration is below: item types, thresholds by household size, five brackets and the highest
  tier 6, exemption 5 % + 50.00.

Amounts are plain text in euros here and turned into `Money` by `demo_kita`.
"""
from __future__ import annotations

from dataclasses import dataclass

from sollhaben.domain.months import Month

#: The demo world's billing: the facilities start billing in August 2026; August, September and
#: October are posted, November is the next run (left unposted; its preview shows a recalculation).
FIRST_BILLING_MONTH = Month(2026, 8)
POSTED_MONTHS = (Month(2026, 8), Month(2026, 9), Month(2026, 10))
NEXT_MONTH = Month(2026, 11)
EARLIEST_START = Month(2024, 11)  # contracts start within the two years before the demo's today
RETRO_FROM = Month(2026, 9)  # the retroactive change: a discount added from September

# --- fee groups ------------------------------------------------------------------------------------

#: Württemberg model: (name, code) → tiers 1–4 per Kindergarten year (from 09.2024, 09.2025, 09.2026).
WUERTTEMBERG_YEARS = (Month(2024, 9), Month(2025, 9), Month(2026, 9))
WUERTTEMBERG = {
    ("Regelgruppe", "RG"): (("181", "140", "91", "30"), ("194", "150", "98", "32"), ("208", "161", "105", "34")),
    ("Verlängerte Öffnungszeit 30 h", "VÖ30"): (("217", "168", "110", "36"), ("233", "180", "118", "39"),
                                                ("250", "193", "127", "42")),
    ("Ganztag 45 h", "GT45"): (("362", "280", "183", "60"), ("388", "300", "196", "64"),
                               ("416", "322", "210", "69")),
    ("Krippe 30 h (unter 3 Jahren)", "KR30"): (("536", "398", "270", "107"), ("575", "427", "290", "115"),
                                              ("617", "458", "311", "123")),
}
WUERTTEMBERG_LABELS = ("1 Kind unter 18 im Haushalt", "2 Kinder unter 18 im Haushalt",
                       "3 Kinder unter 18 im Haushalt", "4 und mehr Kinder unter 18 im Haushalt")

#: Income-dependent statute (TierSource.INCOME): (name, code) → tiers 1–6 per statute version (from
#: 09.2024, 01.2026). The tier is the income scale's bracket of the relevant amount (see INCOME_BRACKETS).
INCOME_YEARS = (Month(2024, 9), Month(2026, 1))
INCOME = {
    ("Kindergarten Teilzeit 30 h", "KT30"): (("15", "45", "82", "123", "164", "205"),
                                            ("15", "48", "86", "129", "172", "215")),
    ("Kindergarten Ganztag 45 h", "KG45"): (("21", "69", "123", "185", "246", "308"),
                                           ("22", "72", "129", "194", "258", "323")),
    ("Krippe Ganztag 45 h", "KRG45"): (("31", "114", "205", "308", "410", "512"),
                                     ("33", "120", "215", "323", "430", "538")),
}
INCOME_LABELS = ("Stufe 1: maßgeblicher Betrag bis 0 €", "Stufe 2: maßgeblicher Betrag bis 700 €",
                 "Stufe 3: maßgeblicher Betrag bis 1.400 €", "Stufe 4: maßgeblicher Betrag bis 2.100 €",
                 "Stufe 5: maßgeblicher Betrag bis 3.000 €", "Stufe 6: über 3.000 € oder ohne Nachweis")
INCOME_WEIGHTS = (10, 15, 25, 25, 15, 10)  # the tier each demo family's income aims at, how often

KRIPPE = {"KR30", "KRG45"}  # the groups for children under 3
# Care scopes of children of 3 and older: (code, weight) per statute.
WUERTTEMBERG_SCOPES = (("RG", 30), ("VÖ30", 40), ("GT45", 30))
INCOME_SCOPES = (("KT30", 45), ("KG45", 55))

# --- income scale (Staffelberechnung) of the income-dependent statute --------------------------------

#: Item types (Grundtabelle) in their order: (label, sign). Kindergeld is left out: the income-dependent
#: statutes in Baden-Württemberg count the parents' income without it (it is the child's money).
INCOME_TYPES = (("Lohn/Gehalt", "+"), ("Renten", "+"), ("Unterhalt erhalten", "+"), ("Elterngeld", "+"),
                ("Einkünfte aus selbständiger Arbeit", "+"), ("Werbungskosten", "-"), ("Unterhalt gezahlt", "-"))
SALARY, PENSION, ALIMONY_RECEIVED, PARENTAL_ALLOWANCE, SELF_EMPLOYED, EXPENSES, ALIMONY_PAID = (
    label for label, _sign in INCOME_TYPES)
SCALE_FROM = Month(2026, 1)  # the one version of the scale, open-ended
#: Einkommensgrenze per month by household size; + INCOME_INCREMENT per further person (5 → 2 700 …).
INCOME_THRESHOLDS = ((2, "1800.00"), (3, "2100.00"), (4, "2400.00"))
INCOME_INCREMENT = "300.00"
#: Relevant amount (monthly income after the exemption − the threshold) up to → tier; above: the highest.
INCOME_BRACKETS = (("0.00", 1), ("700.00", 2), ("1400.00", 3), ("2100.00", 4), ("3000.00", 5))
INCOME_HIGHEST_TIER = 6
EXEMPTION_PERCENT, EXEMPTION_FIXED = "5", "50.00"

# --- discounts ---------------------------------------------------------------------------------------

DISCOUNT_SINCE = Month(2024, 1)
SIBLINGS = "Geschwisterermäßigung"  # sibling ladder: 2nd child 25 %, 3rd 50 %, 4th and later free
LADDER = ("25", "50", "100")
SUBSIDY = "Zuschuss der Stadt"  # fixed municipal subsidy per month
SUBSIDY_AMOUNT = "50.00"
FAMILY_PASS = "Familienpass"  # percent of the fee
FAMILY_PASS_PERCENT = "20"

# --- extra costs -------------------------------------------------------------------------------------

EXTRA_SINCE = Month(2024, 1)
MEALS = "Mittagessen"  # PER_UNIT, meal: 3.60 per lunch, 3.80 from September 2026
MEAL_PRICES = ((EXTRA_SINCE, "3.60"), (Month(2026, 9), "3.80"))
DRINKS = "Getränkepauschale"  # MONTHLY, meal
DRINKS_AMOUNT = "5.00"
CRAFTS = "Bastelgeld"  # MONTHLY
CRAFTS_AMOUNT = "4.00"
TRIP = "Ausflug"  # INDIVIDUAL with reset: entered before the run of the month it is billed in

# --- facilities --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FacilityPlan:
    name: str  # the unit created by demo_parts
    key: str
    statute: str  # "WUERTTEMBERG" or "INCOME"
    weight: int  # share of the demo families
    fee_free_months: frozenset[int]
    pro_rata: bool
    due_day: int
    lock_billed: bool
    standard_rate_meals: bool
    crafts: bool  # charges Bastelgeld
    closed_in_august: int  # weeks closed in August (fewer lunches counted for August)
    trips: tuple[tuple[Month, str, str], ...]  # (run month, amount, who: "U3" / "Ü3" / "VS" pre-school / "ALL")


FACILITIES = (
    FacilityPlan("Kita Sonnenschein", "SON", "WUERTTEMBERG", 40, frozenset({8}), False, 1, False, False, True, 3,
                 ((Month(2026, 9), "9.50", "Ü3"), (Month(2026, 11), "6.00", "ALL"))),
    FacilityPlan("Kita Regenbogen", "REG", "INCOME", 35, frozenset(), True, 15, True, False, True, 2,
                 ((Month(2026, 8), "5.00", "ALL"), (Month(2026, 10), "12.00", "VS"))),
    FacilityPlan("Kinderhaus Am Park", "PARK", "WUERTTEMBERG", 25, frozenset(), False, 15, False, True, False, 2,
                 ((Month(2026, 10), "7.50", "Ü3"),)),
)
HARDSHIP_FUND = "Härtefallfonds der Stadt Stuttgart"  # pays covered meals in Am Park
YOUTH_OFFICE = "Jugendamt Stuttgart"  # second payer of some children; pays meals from the 2nd sibling
