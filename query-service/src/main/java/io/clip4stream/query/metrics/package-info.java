/** Prometheus metrics of the query service. */
package io.clip4stream.query.metrics;
