"""The demo data `make run` loads: the article's partnership, its seasons and people. Imports everything; nothing
imports it."""
