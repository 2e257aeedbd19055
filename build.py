#!/usr/bin/env python3
"""giro-site entry point: `python build.py [build|parse|check|serve|bench|fetch] ...`."""

import sys

from giro_site.cli import main

if __name__ == "__main__":
    sys.exit(main(quick_exit=True))
