/**
 * One conformance suite run on every access path ({@code shm:}, pipe, FIFO, Unix and TCP sockets): the
 * same publisher and subscriber contract, whatever the path, plus each stream path's security checks.
 */
package io.ringbus.transport.conformance;
