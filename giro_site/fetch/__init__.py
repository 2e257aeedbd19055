"""``build.py fetch``: add reports by their address, with where each came from kept beside it.

The only part of the project that goes to the network, and only when a maintainer runs it.
Stages, one module each:

- ``politeness``: at most two requests at a time to a host, a pause between them;
- ``client``: one HTTP GET with time-outs, retries, safe redirects and a size cap;
- ``links``: the attachments and report links a web page holds;
- ``classify``: what a fetched file is (its type, and whether the project's readers read a
  report from it, of which year);
- ``save``: files written under ``content/reports/<year>/``, never over another, with a
  provenance sidecar (``sidecar``) beside each;
- ``run``: the addresses of one command, fetched in parallel, with progress and a summary.
"""
