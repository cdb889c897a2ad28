/** A real Apache Kafka KRaft cluster (combined broker and controller nodes) that runs inside the calling JVM. */
package io.clip4stream.kafka.embedded;
