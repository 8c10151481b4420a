"""The demo ledger of `palabra demo`: a dozen made-up clients whose histories tell the
stories Palabra's figures are made for (`stories`), written with a small builder
(`builder`) and listed with the sentence each one tells (`ledger`)."""

from api.demo.builder import DEMO_TAG
from api.demo.clock import SimulatedClock, load
from api.demo.ledger import (
    DEMO_SPOTLIGHT,
    DemoClient,
    demo_clients,
    demo_entries,
    demo_recordings,
)

__all__ = ["DEMO_SPOTLIGHT", "DEMO_TAG", "DemoClient", "SimulatedClock", "demo_clients",
           "demo_entries", "demo_recordings", "load"]
