"""A minimal IMAP4rev1 server for tests: the mail provider is outside our system, so the tests stand in for it.

It speaks just what our poller uses (CAPABILITY, LOGIN, SELECT, UID SEARCH UNSEEN, UID FETCH BODY.PEEK[], UID STORE
+FLAGS, LOGOUT) over a real socket, so imaplib and our code run unchanged.
"""
import re
import socketserver
import threading


class Mailbox:
    def __init__(self, messages):
        self.messages = {uid: raw for uid, raw in enumerate(messages, start=1)}
        self.seen = set()
        self.lock = threading.Lock()


def make_handler(mailbox, user, password):
    class Handler(socketserver.StreamRequestHandler):
        def send(self, line):
            self.wfile.write(line if isinstance(line, bytes) else line.encode())

        def handle(self):
            self.send("* OK test IMAP ready\r\n")
            while True:
                line = self.rfile.readline()
                if not line:
                    return
                tag, _, rest = line.decode().strip().partition(" ")
                command, _, args = rest.partition(" ")
                command = command.upper()
                if command == "CAPABILITY":
                    self.send("* CAPABILITY IMAP4rev1\r\n" f"{tag} OK done\r\n")
                elif command == "LOGIN":
                    ok = args.split() == [user, f'"{password}"'] or args.split() == [user, password]
                    self.send(f"{tag} OK logged in\r\n" if ok else f"{tag} NO bad credentials\r\n")
                elif command == "SELECT":
                    self.send(f"* {len(mailbox.messages)} EXISTS\r\n{tag} OK [READ-WRITE] selected\r\n")
                elif command == "UID":
                    self.uid(tag, args)
                elif command == "LOGOUT":
                    self.send(f"* BYE\r\n{tag} OK bye\r\n")
                    return
                else:
                    self.send(f"{tag} BAD unknown\r\n")

        def uid(self, tag, args):
            sub, _, rest = args.partition(" ")
            sub = sub.upper()
            with mailbox.lock:
                if sub == "SEARCH":
                    uids = " ".join(str(u) for u in mailbox.messages if u not in mailbox.seen)
                    self.send(f"* SEARCH {uids}\r\n{tag} OK search done\r\n")
                elif sub == "FETCH":
                    uid = int(rest.split()[0])
                    raw = mailbox.messages[uid]
                    self.send(f"* {uid} FETCH (UID {uid} BODY[] {{{len(raw)}}}\r\n".encode() + raw + b")\r\n")
                    self.send(f"{tag} OK fetch done\r\n")
                elif sub == "STORE":
                    uid = int(rest.split()[0])
                    if re.search(r"\\Seen", rest):
                        mailbox.seen.add(uid)
                    self.send(f"* {uid} FETCH (UID {uid} FLAGS (\\Seen))\r\n{tag} OK store done\r\n")
                else:
                    self.send(f"{tag} BAD unknown\r\n")

    return Handler


class ImapServer:
    def __init__(self, messages, user="desk", password="secret"):
        self.mailbox = Mailbox(messages)
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), make_handler(self.mailbox, user, password))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
