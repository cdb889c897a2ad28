/** The all-in-one launcher: the {@code clip4stream} command line and the composition of every service. */
package io.clip4stream.app;
