"""What the test endpoints (tests/*/*.py) share: the address family of an
address, and a status file the shell tests poll while it changes."""
import os
import socket


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def write_status(path, text):
    # replaced atomically: the test polls the file while we write it
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text + "\n")
    os.replace(tmp, path)
