"""Persistence behind small repository interfaces; SQLite and PostgreSQL implement them."""
