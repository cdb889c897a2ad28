/** The service kit every Clip4Stream service stands on; it holds no domain logic. */
package io.clip4stream.runtime;
