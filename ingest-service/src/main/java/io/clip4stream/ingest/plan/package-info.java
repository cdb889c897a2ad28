/** Pure sampling and clip cutting: which decoded frames are kept and how kept frames form clips; no I/O. */
package io.clip4stream.ingest.plan;
