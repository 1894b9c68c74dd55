/**
 * jcstress tests of the ring's concurrent protocols (claims, commits, the wrap, back-pressure, reader
 * joins, durable cursors, dead-claim recovery), each on a small ring lapped once so that a reader that
 * trusts stale bytes is caught. Run by {@code stress-tests/jcstress-quick.sh} and {@code ./bus test}.
 */
package io.ringbus.stress.ring;
