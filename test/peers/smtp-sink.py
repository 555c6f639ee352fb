# An SMTP sink for Wardwatch's tests, on aiosmtpd (Debian python3-aiosmtpd): listens on 127.0.0.1,
# optionally with STARTTLS, implicit TLS and AUTH, and prints one JSON line per received message
# (or per refused command) to stdout, so the test harness can assert on exactly what arrived.
import argparse
import asyncio
import base64
import json
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


class Handler:
    def __init__(self, rcpt_code):
        self.rcpt_code = rcpt_code

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_code:
            emit({"event": "refused", "rcpt": address, "code": self.rcpt_code})
            return "%s refused by the test sink" % self.rcpt_code
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        emit({
            "event": "message",
            "from": envelope.mail_from,
            "to": envelope.rcpt_tos,
            "tls": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth": session.login_data.decode() if isinstance(session.login_data, bytes) else session.login_data,
            "data": base64.b64encode(envelope.original_content or envelope.content).decode("ascii"),
        })
        return "250 Message accepted for delivery"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--cert")
    p.add_argument("--key")
    p.add_argument("--starttls", action="store_true", help="offer STARTTLS")
    p.add_argument("--require-starttls", action="store_true")
    p.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--auth", help="user:password to accept (AUTH PLAIN/LOGIN)")
    p.add_argument("--rcpt-code", help="refuse every RCPT TO with this reply, e.g. 550 or 451")
    a = p.parse_args()

    context = None
    if a.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(a.cert, a.key)

    kwargs = {}
    if a.starttls or a.require_starttls:
        kwargs["tls_context"] = context
        kwargs["require_starttls"] = a.require_starttls
    if a.auth:
        user, password = a.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == user and auth_data.password.decode() == password
            emit({"event": "auth", "ok": ok, "mechanism": mechanism})
            # handled=False: aiosmtpd sends 235 or 535 itself (handled=True would leave the client waiting).
            return AuthResult(success=ok, handled=False, auth_data=auth_data)

        kwargs["authenticator"] = authenticator
        # Over implicit TLS the session is encrypted already; over plain, allow AUTH only after STARTTLS.
        kwargs["auth_require_tls"] = not a.implicit_tls

    controller = Controller(
        Handler(a.rcpt_code),
        hostname="127.0.0.1",
        port=a.port,
        ssl_context=context if a.implicit_tls else None,
        server_hostname="localhost",
        ready_timeout=10,
        **kwargs,
    )
    controller.start()
    emit({"event": "ready", "port": a.port})
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    loop.run_until_complete(stop.wait())
    controller.stop()


main()
