/**
 * The HTTP host of every service on Helidon SE WebServer: health, readiness and Prometheus metrics, API keys, bounded
 * request bodies, read and idle timeouts, a concurrency limit, and a graceful drain on shutdown.
 */
package io.clip4stream.runtime.http;
