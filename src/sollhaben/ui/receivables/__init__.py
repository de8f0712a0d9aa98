"""Pages and dialogs of the receivables: booking window, bank files, SEPA, dunning, lists."""
