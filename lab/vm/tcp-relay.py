# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Relay one guest TCP connection to a host address: QEMU's user network spawns this for each connection to a
``guestfwd`` address (lab/vm.sh FLEET_KDUMP_VM_GUESTFWD), with the guest's stream on stdin/stdout.

    tcp-relay.py HOST PORT

It is how a lab VM reaches a service on this machine's loopback at a port of its choosing (the dump server
container's sshd) under an address and port the guest sees as its own (10.0.2.100:22): kdump's SSH targets have
no port setting.
"""
import os
import selectors
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    upstream = socket.create_connection((host, port), timeout=10)
    upstream.settimeout(None)
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    selector = selectors.DefaultSelector()
    selector.register(stdin, selectors.EVENT_READ, 'guest')
    selector.register(upstream, selectors.EVENT_READ, 'host')
    open_ends = 2
    while open_ends:
        for key, _events in selector.select():
            if key.data == 'guest':
                data = os.read(stdin, 65536)
                if data:
                    upstream.sendall(data)
                    continue
                upstream.shutdown(socket.SHUT_WR)
            else:
                data = upstream.recv(65536)
                if data:
                    view = memoryview(data)
                    while view:
                        view = view[os.write(stdout, view):]
                    continue
                os.close(stdout)
            selector.unregister(key.fileobj)
            open_ends -= 1
    upstream.close()


if __name__ == '__main__':
    main()
