/** Typed settings read from environment variables, each declared once with its name, default and description. */
package io.clip4stream.runtime.config;
