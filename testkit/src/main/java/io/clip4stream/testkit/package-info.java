/** What tests share: the embedded Kafka extension, requirement checks that skip cleanly, and topic readers. */
package io.clip4stream.testkit;
