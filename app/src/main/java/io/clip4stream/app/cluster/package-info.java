/**
 * A local cluster for crash tests and chaos trials: three embedded brokers and two instances of every service, each
 * instance in a JVM of its own so that it can be killed with SIGKILL.
 */
package io.clip4stream.app.cluster;
