/** The ingest API's pure core: what a registration or upload asks for, validated and turned into a request record. */
package io.clip4stream.ingest.api;
