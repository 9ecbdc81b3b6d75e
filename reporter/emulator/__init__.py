"""An emulator of Entra ID and the Graph partner security endpoints, over real HTTPS.

``Emulator`` serves a generated world (``build_world``) with Graph's quirks
(``Quirks``) and injected faults (``Faults``); ``reporter emulate`` runs one
from the command line, and the tests and ``reporter demo`` run one in-process.
"""

from reporter.emulator.customers import CustomerOverride
from reporter.emulator.faults import EmulatorStats, Fault
from reporter.emulator.options import EmulatorOptions, Faults, Quirks
from reporter.emulator.server import Emulator
from reporter.emulator.world import World, build_world

__all__ = [
    "CustomerOverride",
    "Emulator",
    "EmulatorOptions",
    "EmulatorStats",
    "Fault",
    "Faults",
    "Quirks",
    "World",
    "build_world",
]
