/** The catalog of Clip4Stream topics: names, key and value serdes, partitions, cleanup policy and retention. */
package io.clip4stream.schemas.topic;
