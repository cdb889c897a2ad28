/**
 * The service kit every Clip4Stream service stands on; it holds no domain logic.
 *
 * <p>HTTP is served by Helidon SE 4 WebServer ({@code io.clip4stream.runtime.http} is a thin facade over it) rather than
 * the JDK's {@code com.sun.net.httpserver} or Jetty 12: it is built for virtual threads (one per request, no reactive
 * API to learn, blocking route code stays simple), it is small (the server and its HTTP/1.1 codec, no servlet layer),
 * it gives the bounds a public endpoint needs (header and payload limits, a concurrency limit answered with 503,
 * idle-connection closing, keep-alive), and its {@code sse} module is what the planned alert streams need.
 */
package io.clip4stream.runtime;
