#!/bin/sh
# Verifies an unzipped release dossier with standard tools (openssl, jq, sha256sum, base64):
# the DSSE signature of attestation.dsse.json over its PAE bytes, that the signed statement is
# a SLSA VSA naming this manifest.json as a subject, that every file matches the manifest, and
# that every ledger entry's content matches its hash.
# The README shows these commands; dossier.test.ts runs this file on a downloaded dossier.
#
#   usage: verify-dossier.sh <unzipped dossier> <public key PEM (GET /api/rco/attestation/public-key)>
set -eu
dir=$1
key=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
cd "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# 1. The signature: ECDSA P-256 with SHA-256 over
#    "DSSEv1 <len(type)> <type> <len(payload)> <payload>" (lengths in bytes).
type=$(jq -j .payloadType attestation.dsse.json)
jq -j .payload attestation.dsse.json | base64 -d > "$tmp/payload.json"
printf 'DSSEv1 %s %s %s ' "$(printf %s "$type" | wc -c | tr -d ' ')" "$type" \
  "$(wc -c < "$tmp/payload.json" | tr -d ' ')" > "$tmp/pae.bin"
cat "$tmp/payload.json" >> "$tmp/pae.bin"
jq -j '.signatures[0].sig' attestation.dsse.json | base64 -d > "$tmp/sig.der"
openssl dgst -sha256 -verify "$key" -signature "$tmp/sig.der" "$tmp/pae.bin"

# 2. The statement is a VSA, and this manifest.json is one of its subjects.
jq -e '._type == "https://in-toto.io/Statement/v1"
  and .predicateType == "https://slsa.dev/verification_summary/v1"' "$tmp/payload.json" > /dev/null
manifest=$(sha256sum manifest.json | cut -d' ' -f1)
jq -e --arg d "$manifest" 'any(.subject[]; .digest.sha256 == $d)' "$tmp/payload.json" > /dev/null \
  || { echo "manifest.json is not the one the attestation signed" >&2; exit 1; }

# 3. Every ledger entry's content hashes to its hash: sha256(prevHash || canonical JSON of
#    {entryType, entityRef, actor, payload, createdAt}), keys sorted, no spaces. Compare each
#    hash with the portal's ledger (GET /api/rco/ledger/verify checks the chains themselves).
for f in ledger/*.json; do
  [ -e "$f" ] || continue
  got=$( { jq -j .prevHash "$f"; jq -cjS '{entryType, entityRef, actor, payload, createdAt}' "$f"; } \
    | sha256sum | cut -d' ' -f1)
  [ "$got" = "$(jq -r .hash "$f")" ] || { echo "$f does not match its hash" >&2; exit 1; }
done

# 4. Every file is the one the manifest names.
jq -r '.entries[] | "\(.sha256)  \(.path)"' manifest.json | sha256sum -c --quiet -

# The verdict and the image it is about.
jq -r '"\(.predicate.verificationResult) \(.subject[0].name)@sha256:\(.subject[0].digest.sha256)"' "$tmp/payload.json"
