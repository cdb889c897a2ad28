/** The HTTP host of every service: health, readiness and Prometheus metrics, API keys and bounded request bodies. */
package io.clip4stream.runtime.http;
