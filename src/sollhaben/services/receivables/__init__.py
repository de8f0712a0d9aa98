"""Receivables in practice: receipts, bank files, SEPA, payouts, statements, dunning, agreements."""
