/**
 * The query service's HTTP surface: the search API, thumbnails, the OpenAPI document, the web page, the ingest proxy,
 * and the guard in front of them (CORS, per-client rate limits).
 */
package io.clip4stream.query.http;
