"""Real data sets bundled with Sincerity, with their citations (see datasets/data/README.md)."""

from sincerity.datasets.german import CITATION as GERMAN_CREDIT_CITATION
from sincerity.datasets.german import german_credit
from sincerity.datasets.signed import CITATION as BITCOIN_OTC_CITATION
from sincerity.datasets.signed import SignedNetwork, bitcoin_otc, read_signed_network

__all__ = [
    "BITCOIN_OTC_CITATION",
    "GERMAN_CREDIT_CITATION",
    "SignedNetwork",
    "bitcoin_otc",
    "german_credit",
    "read_signed_network",
]
