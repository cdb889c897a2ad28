/** Load while ingesting: fixed-rate searches on loopback against the all-in-one run, with health probed throughout. */
package io.clip4stream.app.load;
