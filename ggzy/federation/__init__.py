"""多元化交易平台 — accredited platforms (market-run, other cities' and counties') push every trade to this one as
signed OCDS releases; they are validated, stored with their source, published and supervised like our own (P5).

Owns: the accreditation register (credentials, public keys, suspension), the pushed releases and trades, the
refusals and their reasons, and the pushing side for when this platform is itself accredited somewhere.
May not: change another domain's tables; it raises supervision alerts through supervision's verbs and asks credit's
`enforce` which sanctions bind the pushed trade's parties.
"""
