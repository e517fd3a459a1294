"""An SMTP conversation with an overall deadline, not only a timeout per socket operation.

`EMAIL_TIMEOUT` bounds each read and write: a server that answers a byte every few seconds, or sleeps just
under the timeout before each reply, keeps a conversation going for ever, long past the moment the sweeper
takes the row back (`OUTBOX_SENDING_TIMEOUT`) and sends it again. Here, every conversation with the server
(connecting, greeting, one mail) runs under a watchdog: when its deadline passes, the socket is shut down from
the watchdog's thread, the blocked read or write returns at once, and the mail is reported as not sent with
`ConversationDeadline`. No signal, no alarm: it works in any thread and any Celery pool.
"""

import smtplib
import socket
import threading
import time
from contextlib import contextmanager

from django.core.mail.backends.smtp import EmailBackend


class ConversationDeadline(smtplib.SMTPException):
    """The SMTP server took longer than the deadline: the mail is not known to be sent; it is tried again."""


class _Watchdog:
    """Shuts down the sockets it is given once a conversation's deadline passes, unless cancelled first.

    One thread per watchdog waits for each conversation's deadline in turn (a batch's mails share it): it is
    started with the first conversation and ends with `stop()` (the connection closed), or after `IDLE_SECONDS`
    without any conversation.
    """

    IDLE_SECONDS = 60

    def __init__(self):
        self.sockets = []
        self.expired = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._deadline = None  # time.monotonic() at which the conversation under way expires; None: none
        self._waiting_until = None  # the deadline the thread sleeps until; None: it waits for a conversation
        self._thread = None
        self._generation = 0  # raised by `stop()`: a thread of an earlier generation ends

    def start(self, seconds: float) -> None:
        with self._lock:
            self.expired = False
            self._deadline = deadline = time.monotonic() + seconds
            if self._thread is None:
                self._thread = threading.Thread(target=self._watch, args=(self._generation,), daemon=True)
                self._thread.start()
            elif self._waiting_until is None or deadline < self._waiting_until:
                # Asleep until a later deadline, or until a conversation starts: wake up for this one. (Asleep
                # until an earlier one, it finds this one when it wakes, and sleeps again until it.)
                self._changed.notify()

    def cancel(self) -> None:
        with self._lock:
            self._deadline = None

    def stop(self) -> None:
        """End the thread (after `cancel`); a later `start` starts another."""
        with self._lock:
            self._deadline = self._waiting_until = None
            self._generation += 1
            self._thread = None
            self._changed.notify()

    def watch(self, sock) -> None:
        with self._lock:
            self.sockets.append(sock)
            expired = self.expired
        if expired:
            self._shutdown(sock)

    def _watch(self, generation: int) -> None:
        with self._lock:
            while True:
                if generation != self._generation:  # stopped
                    return
                deadline = self._deadline
                if deadline is None:
                    self._waiting_until = None
                    if not self._changed.wait(self.IDLE_SECONDS) and self._deadline is None:
                        self._thread = None  # the next conversation starts another thread
                        return
                    continue
                remaining = deadline - time.monotonic()
                if remaining > 0:
                    self._waiting_until = deadline
                    self._changed.wait(remaining)
                    continue
                self._deadline = None
                self.expired = True
                sockets = list(self.sockets)
                self._lock.release()
                try:
                    for sock in sockets:
                        self._shutdown(sock)
                finally:
                    self._lock.acquire()

    @staticmethod
    def _shutdown(sock) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed


def _watched(base):
    class Watched(base):
        """`smtplib.SMTP` (or SMTP_SSL) that hands each socket it opens to the watchdog."""

        def __init__(self, *args, watchdog: _Watchdog, **kwargs):
            self._watchdog = watchdog
            super().__init__(*args, **kwargs)

        def _get_socket(self, host, port, timeout):
            sock = super()._get_socket(host, port, timeout)
            self._watchdog.watch(sock)
            return sock

        def starttls(self, *args, **kwargs):
            reply = super().starttls(*args, **kwargs)
            self._watchdog.watch(self.sock)  # the TLS socket wraps the same descriptor: shutdown still reaches it
            return reply

    return Watched


_WatchedSMTP = _watched(smtplib.SMTP)
_WatchedSMTP_SSL = _watched(smtplib.SMTP_SSL)


class DeadlineEmailBackend(EmailBackend):
    """Django's SMTP backend whose conversations each end within `deadline()` seconds.

    Used as `with backend.deadline(seconds): backend.send_messages([message])`: one mail per deadline, on a
    connection that may stay open for the next mail of a batch. After an expired deadline the connection is
    closed, and the next mail opens a fresh one.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._watchdog = _Watchdog()

    @property
    def connection_class(self):
        base = _WatchedSMTP_SSL if self.use_ssl else _WatchedSMTP
        watchdog = self._watchdog

        def connect(*args, **kwargs):
            return base(*args, watchdog=watchdog, **kwargs)

        return connect

    @contextmanager
    def deadline(self, seconds: float):
        self._watchdog.start(seconds)
        try:
            if self.connection is None:
                self.open()  # opened here, it stays open for the next mail of the batch (`close()` ends it)
            yield
        except Exception as error:
            if self._watchdog.expired:
                self._drop()
                raise ConversationDeadline(
                    f"le serveur SMTP n'a pas fini de répondre en {seconds:g} s ({type(error).__name__})"
                ) from error
            broken = isinstance(error, OSError) and not isinstance(error, smtplib.SMTPResponseException)
            if broken:  # an SMTP answer (4xx, 5xx) leaves the connection usable; a socket error does not
                self._drop()  # a broken connection is not reused for the next mail
            raise
        finally:
            self._watchdog.cancel()
        if self._watchdog.expired:  # expired just as the last reply came in: the mail went, the socket did not
            self._drop()

    def close(self):
        super().close()
        with self._watchdog._lock:
            self._watchdog.sockets.clear()
        self._watchdog.stop()

    def _drop(self) -> None:
        """Forget the connection without talking to the server again."""
        with self._watchdog._lock:
            self._watchdog.sockets.clear()
        if self.connection is not None:
            try:
                self.connection.close()
            except OSError:
                pass
            self.connection = None
