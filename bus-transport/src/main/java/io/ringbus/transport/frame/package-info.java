/**
 * The frame, the unit every stream path carries: its layout with a byte diagram
 * ({@link io.ringbus.transport.frame.FrameDescriptor}, the format a client in another language writes),
 * the hello line, and the in-place frame reader and writer.
 */
package io.ringbus.transport.frame;
