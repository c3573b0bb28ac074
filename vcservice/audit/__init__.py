"""The audit trail: a hash-chained log of what was done, by whom, in which request."""
