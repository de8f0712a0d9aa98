"""Which organization a bank file belongs to: the file names the account it reports on
(Stmt / Ntfctn / Rpt → Acct/Id/IBAN); the organization whose bank account has that IBAN is the one —
when exactly one has it. The CLI uses this when there are several organizations and no --organization
(the page knows its organization already)."""
from __future__ import annotations

from lxml import etree

from sollhaben.persistence.database import Database
from sollhaben.services.dto import OrganizationDTO
from sollhaben.services.organizations import list_organizations

_REPORTS = ("Stmt", "Ntfctn", "Rpt")  # camt.053, camt.054, camt.052


def _compact(iban: str) -> str:
    return "".join(iban.split()).upper()


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def receiving_ibans(content: bytes) -> tuple[str, ...]:
    """The IBANs the file reports on, in file order without repeats; () for what is no readable XML
    (the import itself then names the file's problems)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True)
    try:
        root = etree.fromstring(content, parser)
    except (etree.XMLSyntaxError, ValueError):
        return ()
    found: list[str] = []
    for report in root.iter():
        if _local(report.tag) not in _REPORTS:
            continue
        account = next((c for c in report if _local(c.tag) == "Acct"), None)
        ident = next((c for c in account if _local(c.tag) == "Id"), None) if account is not None else None
        iban = next((c for c in ident if _local(c.tag) == "IBAN"), None) if ident is not None else None
        if iban is not None and iban.text and _compact(iban.text) not in found:
            found.append(_compact(iban.text))
    return tuple(found)


def organizations_for_file(db: Database, content: bytes) -> list[OrganizationDTO]:
    """The organizations with a bank account the file reports on (usually one; none for a foreign file,
    several when organizations share an account)."""
    ibans = set(receiving_ibans(content))
    if not ibans:
        return []
    return [org for org in list_organizations(db) if any(_compact(a.iban) in ibans for a in org.bank_accounts)]
