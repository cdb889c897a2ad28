/**
 * The configuration tables in {@code docs/}, generated from the services' {@code Setting} declarations so that the
 * documentation cannot drift from the code ({@code SettingsDocsTest} fails when it does).
 */
package io.clip4stream.app.docs;
