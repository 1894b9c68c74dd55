/**
 * Tests across processes: child JVMs (the {@code *Main} classes, started by {@code ProcessFixture}) that
 * publish, subscribe, crash at chosen points or truncate files, and the tests that drive and check them.
 * These exercise the bus as a whole, so they have no main package of their own.
 */
package io.ringbus.core.process;
