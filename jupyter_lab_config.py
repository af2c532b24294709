# How the course opens in JupyterLab. `make lab` runs `jupyter lab --config=jupyter_lab_config.py`
# and tests/test_e2e_lab.py starts its server from this same file, adding only its own host,
# port, token and no-browser settings: what the test checks is what a student gets.

import os

c = get_config()  # noqa: F821 (Jupyter defines get_config when it reads this file)

HERE = os.path.dirname(os.path.abspath(__file__))

# The lessons, whatever directory the server was started from.
c.ServerApp.root_dir = os.path.join(HERE, "lectures")

# Only this machine can reach the server.
c.ServerApp.ip = "127.0.0.1"

# Jupyter refuses to start as root unless told to. Containers, some course machines and CI run
# as root, and there `make lab` would stop with "Running as root is not recommended".
c.ServerApp.allow_root = True

# The course makes no requests outside this machine: no news feed, no update check, and an
# extension manager that lists what is installed without querying a package index (or
# installing into the course's environment).
c.LabApp.news_url = None
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.extension_manager = "readonly"
