/**
 * The bridge: serves the topics of a bus to stream clients, one session per connection, publishing
 * their frames into the topics' rings or subscribing for them. A program that hosts a bridge uses
 * {@link io.ringbus.transport.bridge.Bridge} and {@link io.ringbus.transport.bridge.BridgeContext}.
 */
package io.ringbus.transport.bridge;
