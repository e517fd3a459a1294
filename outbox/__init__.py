"""The outbox: every e-mail the application sends, as a row a worker delivers (see `emails`)."""
