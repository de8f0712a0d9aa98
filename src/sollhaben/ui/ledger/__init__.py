"""Debtor accounts and the account statement."""
from sollhaben.ui.ledger.accounts_page import AccountsPage
from sollhaben.ui.ledger.statement_view import StatementView

__all__ = ["AccountsPage", "StatementView"]
