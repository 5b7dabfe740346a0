"""密封投标 — the sealed-bid envelope, a leaf package: it imports only `cryptography` and the kernel's
canonical encoding and errors (an import-linter contract in pyproject.toml says so).

`ggzy.sealing` is the public API of the envelope (`seal`, `scan`, `open_envelope`, …, from `envelope`);
`header`, `manifest`, `stream_aead` and `errors` are its parts; `shamir`, `hpke`, `keyfile`, `p256` and
`sensitive` are the key machinery. See docs/sealed-bids.md.
"""

from ggzy.sealing.envelope import *  # noqa: F403
from ggzy.sealing.envelope import __all__ as __all__
