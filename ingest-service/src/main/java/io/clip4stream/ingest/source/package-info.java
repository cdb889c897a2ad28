/** Where videos come from and which ones are refused: paths under the root, URLs past the SSRF guard, uploads. */
package io.clip4stream.ingest.source;
