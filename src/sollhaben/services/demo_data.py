"""Name lists, streets, towns and banks for the demo data, and IBANs with correct check digits.

Postal codes and towns are real pairs around Stuttgart and Bern; bank codes are real institutions
of those regions; account numbers are made up, so the IBANs are valid but belong to nobody.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

DE_LAST = (
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Krause "
    "Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter Mayer Huber Kaiser Fuchs Peters Lang "
    "Scholz Möller Weiß Jung Hahn Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck "
    "Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus Martin Schumacher Krämer Vogt "
    "Stein Jäger Otto Sommer Groß Seidel Heinrich Brandt Haas Schreiber Graf Dietrich Ziegler Kuhn Pohl "
    "Engel Horn Busch Bergmann Voigt Sauer Arnold Pfeiffer Yılmaz Kaya Demir Öztürk Nowak Kowalski Popescu "
    "Rossi Papadopoulos Hoxha").split()
DE_FEMALE = (
    "Anna Marie Sophie Emma Mia Hannah Lena Lea Laura Julia Sarah Katharina Sabine Claudia Stefanie Nicole "
    "Melanie Christina Sandra Jessica Aylin Elif Clara Ida Nora Lina Emilia Mila Frieda Paula Johanna "
    "Charlotte Leonie Amelie Zeynep Natalia Jana Carina Miriam Theresa").split()
DE_MALE = (
    "Lukas Leon Paul Jonas Felix Maximilian Elias Noah Ben Finn Thomas Michael Andreas Stefan Markus "
    "Christian Daniel Alexander Tobias Jan Mehmet Emre Luis Henry Theo Anton Jakob Moritz Oskar Emil "
    "Matteo Karl Florian Sebastian Patrick Dominik Benedikt Kai Yusuf Piotr").split()
CH_LAST = (
    "Müller Meier Schmid Keller Weber Huber Schneider Meyer Steiner Fischer Gerber Brunner Baumann Frei "
    "Zimmermann Moser Widmer Wyss Graf Roth Suter Baumgartner Bachmann Studer Bühler Bürki Zaugg Kämpf "
    "Rüfenacht Aebi Hofer Käser Lüthi Marti Schär Stucki Wenger Zürcher Berger Kunz Hess Sutter Lehmann "
    "Fankhauser Gasser Jenni Ryser Tschanz Messerli Bieri Gfeller Blaser Christen Dubois Favre Rossi "
    "Bianchi Ferrari Da Silva Pereira Krasniqi Berisha Gashi Yilmaz").split()
CH_FEMALE = (
    "Laura Lara Sara Anna Lea Mia Emma Elena Nina Julia Sandra Andrea Nicole Barbara Daniela Monika "
    "Ursula Corinne Rahel Seraina Chiara Alina Lina Ella Lia Sophie Jana Céline Léa Giulia Fatima "
    "Ramona Franziska Selina Noemi Tamara Melanie").split()
CH_MALE = (
    "Luca Noah Leon Liam Elias Levin Nico Jonas Samuel Daniel Thomas Peter Martin Christoph Reto Urs Beat "
    "Marco Simon Matthias Adrian Lukas Jan Gian Nino Matteo Louis Julien Arben Dario Fabian Pascal "
    "Stefan Roger Hans Ueli Jürg").split()

DE_STREETS = (
    "Königstraße", "Hauptstraße", "Schillerstraße", "Goethestraße", "Rosenweg", "Lindenstraße",
    "Bahnhofstraße", "Kirchstraße", "Gartenstraße", "Schulstraße", "Neckarstraße", "Olgastraße",
    "Tübinger Straße", "Böblinger Straße", "Hohenheimer Straße", "Marienstraße", "Augustenstraße",
    "Silberburgstraße", "Rotebühlstraße", "Wilhelmstraße", "Ulmer Straße", "Talstraße", "Mozartweg",
    "Birkenweg", "Am Kräherwald", "Pfarrstraße", "Waldburgstraße", "Heilbronner Straße", "Eichendorffstraße",
)
DE_TOWNS = (
    ("70173", "Stuttgart"), ("70174", "Stuttgart"), ("70176", "Stuttgart"), ("70178", "Stuttgart"),
    ("70180", "Stuttgart"), ("70182", "Stuttgart"), ("70184", "Stuttgart"), ("70186", "Stuttgart"),
    ("70188", "Stuttgart"), ("70190", "Stuttgart"), ("70192", "Stuttgart"), ("70193", "Stuttgart"),
    ("70195", "Stuttgart"), ("70197", "Stuttgart"), ("70199", "Stuttgart"), ("70327", "Stuttgart"),
    ("70372", "Stuttgart"), ("70435", "Stuttgart"), ("70469", "Stuttgart"), ("70563", "Stuttgart"),
    ("70597", "Stuttgart"), ("70619", "Stuttgart"), ("73728", "Esslingen am Neckar"),
    ("71634", "Ludwigsburg"), ("70734", "Fellbach"), ("71229", "Leonberg"), ("71032", "Böblingen"),
    ("71063", "Sindelfingen"), ("70794", "Filderstadt"), ("73760", "Ostfildern"), ("71332", "Waiblingen"),
    ("70806", "Kornwestheim"), ("70839", "Gerlingen"), ("71254", "Ditzingen"),
)
CH_STREETS = (
    "Bahnhofstrasse", "Dorfstrasse", "Kirchgasse", "Bernstrasse", "Thunstrasse", "Aarestrasse",
    "Belpstrasse", "Seftigenstrasse", "Weissensteinstrasse", "Muristrasse", "Kramgasse",
    "Gerechtigkeitsgasse", "Länggassstrasse", "Schwarztorstrasse", "Laupenstrasse", "Breitenrainstrasse",
    "Lorrainestrasse", "Worbstrasse", "Sonnenweg", "Feldstrasse", "Mattenweg", "Gurtenstrasse",
    "Schlossstrasse", "Chutzenstrasse", "Egghölzliweg", "Hubelweg",
)
CH_TOWNS = (
    ("3005", "Bern"), ("3006", "Bern"), ("3007", "Bern"), ("3008", "Bern"), ("3011", "Bern"),
    ("3012", "Bern"), ("3013", "Bern"), ("3014", "Bern"), ("3018", "Bern"), ("3027", "Bern"),
    ("3074", "Muri bei Bern"), ("3073", "Gümligen"), ("3123", "Belp"), ("3098", "Köniz"),
    ("3072", "Ostermundigen"), ("3063", "Ittigen"), ("3076", "Worb"), ("3110", "Münsingen"),
    ("3084", "Wabern"), ("3122", "Kehrsatz"), ("3113", "Rubigen"), ("3125", "Toffen"), ("3112", "Allmendingen"),
)
# (bank code, BIC): Stuttgart banks (BLZ) and Bernese banks (IID).
DE_BANKS = (("60050101", "SOLADEST600"), ("60090100", "VOBADESSXXX"), ("60010070", "PBNKDEFFXXX"),
            ("60040071", "COBADEFFXXX"), ("60070070", "DEUTDESSXXX"), ("61150020", "ESSLDE66XXX"))
CH_BANKS = (("00790", "KBBECH22XXX"), ("09000", "POFICHBEXXX"), ("80808", "RAIFCH22XXX"),
            ("06300", "VABECH22XXX"), ("00235", "UBSWCHZH80A"))


@dataclass(frozen=True)
class Locale:
    country: str
    last_names: tuple[str, ...]
    female: tuple[str, ...]
    male: tuple[str, ...]
    streets: tuple[str, ...]
    towns: tuple[tuple[str, str], ...]
    banks: tuple[tuple[str, str], ...]
    phone_prefixes: tuple[str, ...]


GERMANY = Locale("DE", tuple(DE_LAST), tuple(DE_FEMALE), tuple(DE_MALE), DE_STREETS, DE_TOWNS, DE_BANKS,
                 ("0711", "0151", "0170", "07031", "0176"))
SWITZERLAND = Locale("CH", tuple(CH_LAST), tuple(CH_FEMALE), tuple(CH_MALE), CH_STREETS, CH_TOWNS, CH_BANKS,
                     ("031", "079", "078", "076"))


def _mod97(text: str) -> int:
    return int("".join(str(int(ch, 36)) for ch in text)) % 97


def make_iban(country: str, bban: str) -> str:
    """IBAN with the ISO 13616 check digits for a country code and basic bank account number."""
    return f"{country}{98 - _mod97(bban + country + '00'):02d}{bban}"


def iban_for(locale: Locale, bank: tuple[str, str], account: int) -> str:
    if locale.country == "DE":
        return make_iban("DE", f"{bank[0]}{account % 10**10:010d}")
    return make_iban("CH", f"{bank[0]}{account % 10**12:012d}")


_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "ı": "i", " ": "-"})


def email_for(first: str, last: str, number: int) -> str:
    name = f"{first}.{last}".lower().translate(_ASCII)
    return f"{name}{number % 100 if number % 3 == 0 else ''}@example.com"


# --- people and households --------------------------------------------------------------------------

@dataclass
class Family:
    """Local indices into a `PeoplePlan`: who lives in the household now, and who pays or owes."""

    household: int
    adults: tuple[int, ...]
    children: tuple[int, ...]
    payer: int | None = None
    debtor: int | None = None  # the parent living elsewhere (alimony) or the assisted person


@dataclass
class PeoplePlan:
    persons: list[dict] = field(default_factory=list)  # person columns (no id, no organization)
    accounts: list[tuple[int, str, str, str]] = field(default_factory=list)  # person, iban, bic, holder
    roles: list[tuple[int, str, str]] = field(default_factory=list)  # person, module, role
    households: list[str] = field(default_factory=list)
    members: list[tuple[int, int, date, date | None, str]] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)


class PeoplePlanner:
    """Generates families of one locale with a given random generator (deterministic)."""

    def __init__(self, locale: Locale, rng: random.Random, today: date) -> None:
        self.locale, self.rng, self.today = locale, rng, today
        self.plan = PeoplePlan()

    def days_ago(self, low: int, high: int) -> date:
        return self.today - timedelta(days=self.rng.randrange(low, high))

    def address(self) -> dict:
        postal_code, town = self.rng.choice(self.locale.towns)
        number = str(self.rng.randrange(1, 120)) + ("a" if self.rng.random() < 0.05 else "")
        return {"street": self.rng.choice(self.locale.streets), "house_number": number,
                "postal_code": postal_code, "town": town, "country": self.locale.country}

    def person(self, female: bool, last: str, birth: date, address: dict, adult: bool = True,
               roles: tuple[tuple[str, str], ...] = (), bank: float = 0.0) -> int:
        rng, locale = self.rng, self.locale
        first = rng.choice(locale.female if female else locale.male)
        index = len(self.plan.persons)
        phone = email = ""
        if adult and rng.random() < 0.6:
            prefix, digits = rng.choice(locale.phone_prefixes), rng.randrange(1_000_000, 9_999_999)
            phone = (f"{prefix} {digits // 10000:03d} {digits // 100 % 100:02d} {digits % 100:02d}"
                     if locale.country == "CH" else f"{prefix} {digits}")
        if adult and rng.random() < 0.35:
            email = email_for(first, last, index)
        language = ("fr" if last in ("Dubois", "Favre") else "it" if last in ("Rossi", "Bianchi", "Ferrari")
                    else "de") if locale.country == "CH" else "de"
        self.plan.persons.append({
            "kind": "NATURAL", "last_name": last, "first_name": first,
            "salutation": ("Frau" if female else "Herr") if adult else "", "birth_date": birth, **address,
            "address_extra": "", "phone": phone, "email": email, "language": language, "note": ""})
        self.plan.roles.extend((index, module, role) for module, role in roles)
        if rng.random() < bank:
            bank_code = rng.choice(locale.banks)
            self.plan.accounts.append((index, iban_for(locale, bank_code, rng.randrange(10**9, 10**10)),
                                       bank_code[1], f"{first} {last}"))
        return index

    def household(self, name: str, members: list[tuple[int, date, date | None, str]]) -> int:
        index = len(self.plan.households)
        self.plan.households.append(name)
        self.plan.members.extend((index, p, start, end, relation) for p, start, end, relation in members)
        return index

    def children(self, last: str, address: dict, youngest_days: tuple[int, int], roles) -> list[int]:
        births = [self.days_ago(*youngest_days)]
        for _ in range(self.rng.choices((0, 1, 2), (45, 40, 15))[0]):
            births.append(births[-1] - timedelta(days=self.rng.randrange(500, 1500)))
        return [self.person(self.rng.random() < 0.5, last, birth, address, adult=False, roles=roles)
                for birth in sorted(births)]

    def family(self, parent_roles, payer_roles, child_roles, youngest_days, single: float, separated: float,
               other_roles=(), other_bank: float = 0.0) -> Family:
        """Parents and 1–3 children; a single parent, or a couple of whom one moved out on a date.
        The payer (mostly the mother) gets `payer_roles` and mostly a bank account."""
        rng = self.rng
        last = rng.choice(self.locale.last_names)
        address = self.address()
        kids = self.children(last, address, youngest_days, child_roles)
        start = self.plan.persons[kids[0]]["birth_date"] - timedelta(days=rng.randrange(0, 1200))
        roll = rng.random()
        couple, moved_out = roll >= single, single + separated > roll >= single
        mother_pays = moved_out or not couple or rng.random() < 0.85
        mother = self.person(True, last, start - timedelta(days=rng.randrange(7000, 7000 + 15 * 365)), address,
                             roles=parent_roles + (payer_roles if mother_pays else ()),
                             bank=0.9 if mother_pays else 0.3)
        members = [(mother, start, None, "parent")]
        other = None
        if couple:
            other_last = last if rng.random() < 0.7 else rng.choice(self.locale.last_names)
            roles = other_roles if moved_out else parent_roles + (() if mother_pays else payer_roles)
            other = self.person(False, other_last, start - timedelta(days=rng.randrange(7000, 7000 + 17 * 365)),
                                self.address() if moved_out else address, roles=roles,
                                bank=other_bank if moved_out else 0.3 if mother_pays else 0.9)
            left = None
            if moved_out:
                latest = max(self.plan.persons[kids[-1]]["birth_date"], start) + timedelta(days=30)
                left = latest + timedelta(days=rng.randrange(0, max(1, (self.today - latest).days - 2)))
                name = f"Haushalt {self.plan.persons[other]['first_name']} {other_last}"
                self.household(name, [(other, left + timedelta(days=1), None, "single")])
            members.append((other, start, left, "parent"))
        members += [(k, self.plan.persons[k]["birth_date"], None, "child") for k in kids]
        household = self.household(f"Familie {last}", members)
        payer = mother if mother_pays else other
        present = tuple(p for p, _, end, relation in members if end is None and relation == "parent")
        return Family(household, present, tuple(kids), payer=payer, debtor=other if moved_out else None)

    def single(self, roles, bank: float) -> Family:
        last = self.rng.choice(self.locale.last_names)
        person = self.person(self.rng.random() < 0.5, last, self.days_ago(20 * 365, 70 * 365), self.address(),
                             roles=roles, bank=bank)
        start = self.days_ago(100, 15 * 365)
        name = f"Haushalt {self.plan.persons[person]['first_name']} {last}"
        return Family(self.household(name, [(person, start, None, "single")]), (person,), (), person, person)


def plan_kita(rng: random.Random, size: int, today: date) -> PeoplePlan:
    """Families with Kita children (youngest 0.5–6 years): guardians, payers, a few separations."""
    planner = PeoplePlanner(GERMANY, rng, today)
    while len(planner.plan.persons) < size:
        family = planner.family((("kita", "guardian"),), (("kita", "payer"),), (), (180, 6 * 365), single=0.25,
                                separated=0.12, other_roles=(("kita", "guardian"),), other_bank=0.5)
        planner.plan.families.append(family)
    return planner.plan


def plan_social(rng: random.Random, size: int, today: date) -> PeoplePlan:
    """Alimony cases (creditor parent, beneficiary children, debtor parent elsewhere), assisted
    families and single persons with refund claims (debtors)."""
    planner = PeoplePlanner(SWITZERLAND, rng, today)
    while len(planner.plan.persons) < size:
        roll = rng.random()
        if roll < 0.5:
            family = planner.family((("alimony", "creditor"),), (), (("alimony", "beneficiary"),), (90, 17 * 365),
                                    single=0.0, separated=1.0, other_bank=0.4,
                                    other_roles=(("alimony", "debtor"), ("receivables", "debtor")))
        elif roll < 0.8:
            family = planner.family((), (("receivables", "debtor"),), (("child_protection", "beneficiary"),),
                                    (90, 14 * 365), single=0.3, separated=0.0)
        else:
            family = planner.single((("receivables", "debtor"),), bank=0.5)
        planner.plan.families.append(family)
    return planner.plan
