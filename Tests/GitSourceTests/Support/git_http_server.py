#!/usr/bin/env python3
"""Smart HTTP git server for the tests: `git http-backend` (CGI) behind a loopback HTTP server that demands
HTTP basic auth whose password is the token given in $GIT_TEST_TOKEN. Prints the port on stdout, then serves
until killed. Usage: git_http_server.py PROJECT_ROOT"""
import http.server
import os
import subprocess
import sys
import base64

ROOT = sys.argv[1]
TOKEN = os.environ["GIT_TEST_TOKEN"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if os.environ.get("GIT_TEST_LOG"):
            with open(os.environ["GIT_TEST_LOG"], "a") as f:
                f.write((fmt % args) + " " + repr(dict(self.headers)) + "\n")

    def authorized(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Basic "):
            return False
        try:
            _, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except Exception:
            return False
        return password == TOKEN

    def respond(self, status, headers, payload):
        """The whole response in one write."""
        self.log_request(status)
        lines = ["HTTP/1.1 %d %s" % (status, self.responses.get(status, ("",))[0])]
        lines += ["%s: %s" % h for h in headers] + ["Content-Length: %d" % len(payload), "", ""]
        self.wfile.write("\r\n".join(lines).encode("latin-1") + payload)
        self.wfile.flush()

    def body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                size = int(self.rfile.readline().strip().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length", "0"))
        return self.rfile.read(length) if length else b""

    def handle_git(self):
        body = self.body() if self.command == "POST" else b""
        if not self.authorized():
            # A body, as real hosts send one (libgit2 1.5 misreads it on a kept-alive connection: Ballast
            # sends its credentials up front, so a token never meets this 401).
            self.respond(401, [("WWW-Authenticate", 'Basic realm="git"')], b"authentication required\n")
            return
        path, _, query = self.path.partition("?")
        env = dict(os.environ, GIT_PROJECT_ROOT=ROOT, GIT_HTTP_EXPORT_ALL="1", PATH_INFO=path, QUERY_STRING=query,
                   REQUEST_METHOD=self.command, CONTENT_TYPE=self.headers.get("Content-Type", ""),
                   CONTENT_LENGTH=str(len(body)), REMOTE_USER="tester", REMOTE_ADDR="127.0.0.1")
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        if self.headers.get("Git-Protocol"):
            env["HTTP_GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        result = subprocess.run(["git", "http-backend"], input=body, env=env, capture_output=True)
        head, _, payload = result.stdout.partition(b"\r\n\r\n")
        if not _:
            head, _, payload = result.stdout.partition(b"\n\n")
        status = 200
        headers = []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.respond(status, headers, payload)

    do_GET = handle_git
    do_POST = handle_git


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()
