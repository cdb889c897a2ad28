/** Checks that the README and docs/ stay true: commands that parse, links that resolve. */
package io.clip4stream.app.docs;
