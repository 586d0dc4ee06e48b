"""Stand-in for the get-pip bootstrap script that ansible-test downloads from a host this
machine cannot reach: bootstrap pip from the interpreter's own ensurepip, give the new
virtualenv the caller's pip settings (index, certificates), then install what was asked."""

import ensurepip
import os
import shutil
import subprocess
import sys

settings = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pip.conf")
if os.path.exists(settings):
    # ansible-test runs pip with a filtered environment; a site pip.conf survives that.
    shutil.copy(settings, os.path.join(sys.prefix, "pip.conf"))
ensurepip.bootstrap(upgrade=True)
# ensurepip points PIP_CONFIG_FILE at /dev/null for its own run; the install below needs the config.
os.environ.pop("PIP_CONFIG_FILE", None)
args = [arg for arg in sys.argv[1:] if arg not in ("--no-setuptools", "--no-wheel")]
sys.exit(subprocess.call([sys.executable, "-m", "pip", "install"] + args))
