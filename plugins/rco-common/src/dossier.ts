/**
 * The release dossier: one zip per release with every record it was judged on. The manifest
 * names each file with its sha256 so the archive can be checked on its own, and ledger records
 * carry the sequence number of their ledger entry so they can be checked against the ledger.
 *
 * @public
 */
export interface DossierManifestEntry {
  /** Path inside the zip, `/`-separated. */
  path: string;
  /** Lowercase hex sha256 of the file's bytes. */
  sha256: string;
  bytes: number;
  /** The ledger entry this file is the record of, when it is one. */
  ledgerSeq?: number;
}

/** @public */
export interface DossierManifest {
  entityRef: string;
  release: { version?: string; digest?: string };
  createdAt: string;
  entries: DossierManifestEntry[];
}
