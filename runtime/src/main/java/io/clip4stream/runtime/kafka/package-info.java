/** Kafka client settings with security passthrough, and idempotent topic provisioning from the topic catalog. */
package io.clip4stream.runtime.kafka;
