/** The start/ready/close contract that the all-in-one launcher composes services by. */
package io.clip4stream.runtime.lifecycle;
