"""Real data sets bundled with Sincerity, with their citations (see datasets/data/README.md)."""

from sincerity.datasets.signed import CITATION as BITCOIN_OTC_CITATION
from sincerity.datasets.signed import SignedNetwork, bitcoin_otc, read_signed_network

__all__ = ["BITCOIN_OTC_CITATION", "SignedNetwork", "bitcoin_otc", "read_signed_network"]
