"""The transparency log in the open C2SP formats, so tools qtrail never wrote can check it.

- ``keys``: note key names, key ids, verifier keys and signer keys (c2sp.org/signed-note).
- ``note``: signed notes: sign, parse, open against a set of verifiers.
- ``checkpoint``: checkpoint bodies (c2sp.org/tlog-checkpoint) and qtrail's extension lines.
- ``cosignature``: witness cosignatures, cosignature/v1 (c2sp.org/tlog-cosignature).
- ``tiles``: tile coordinates and paths, hash tiles and entry bundles (c2sp.org/tlog-tiles).
- ``tile_proofs``: tree roots, inclusion and consistency proofs read back from served tiles.
- ``inclusion``: the inclusion-proof answer, base64 hashes verifiable against a checkpoint.

Pure: keys, times and leaves are passed in; nothing here reads a clock, a file or the network.
"""
