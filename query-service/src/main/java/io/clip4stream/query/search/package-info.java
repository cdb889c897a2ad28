/** The search path without HTTP: requests and their limits, query encoding, merging, re-ranking and results. */
package io.clip4stream.query.search;
