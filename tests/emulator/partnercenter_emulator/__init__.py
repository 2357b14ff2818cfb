"""Partner Center REST API + Entra ID token endpoint emulator (test tool).

Standard library plus ``trustme`` only.  See README.md in this directory.
"""

__version__ = "1.0.0"
