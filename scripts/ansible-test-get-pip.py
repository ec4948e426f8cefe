# Offline stand-in for ansible-test's pip bootstrap script (get-pip-<version>.py).
#
# ansible-test --venv downloads get-pip from ci-files.testing.ansible.com, which this lab cannot
# reach; it documents saving the script to ~/.ansible/test/cache/get_pip_<version>.py instead.
# This file honours the same contract: it is run as __main__ inside a fresh venv without pip and
# receives pip-install arguments.  It bootstraps the interpreter's bundled pip (ensurepip), then
# installs exactly what was asked for from the configured package index (PyPI).
import ensurepip
import os
import subprocess
import sys

ensurepip.bootstrap(upgrade=True)
# --no-setuptools / --no-wheel are get-pip's own options (pip install has no such flags).
args = [arg for arg in sys.argv[1:] if arg not in ('--no-setuptools', '--no-wheel')]
# ansible-test runs this with a pruned environment; keep trusting the system CA bundle
# (a TLS-intercepting proxy's root is installed there on some machines).
system_ca = '/etc/ssl/certs/ca-certificates.crt'
if os.path.exists(system_ca) and '--cert' not in args:
    args = ['--cert', system_ca] + args
sys.exit(subprocess.call([sys.executable, '-m', 'pip', 'install'] + args))
