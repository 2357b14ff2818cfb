"""The Partner Center resources: one module each for customers, users, directory roles
and licenses.  Each holds the resource's operations (functions taking the
:class:`state.State`, under its one lock) and its route handlers (``handle_*(emu, req)``,
named in the route table of ``routes.py``)."""
