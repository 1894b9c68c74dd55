/**
 * What the stress harness and the {@code bus} command share, written once: the JSON writer of every
 * {@code --json} output and the command line of a child JVM. Not API. It lives here because
 * bus-examples depends on stress-tests, so this is the one module both reach.
 */
package io.ringbus.stress.common;
