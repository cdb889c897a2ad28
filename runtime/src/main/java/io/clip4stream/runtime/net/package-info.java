/** Network rules shared by services: which hosts a service may connect to on a user's behalf. */
package io.clip4stream.runtime.net;
