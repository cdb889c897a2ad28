/**
 * What tests share: the embedded Kafka extension, requirement checks that skip cleanly, topic readers, and a loopback
 * HTTP file server for download tests.
 */
package io.clip4stream.testkit;
