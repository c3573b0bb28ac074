"""Trusted-trader certificate types: IMMEX, C-TPAT and OEA."""
