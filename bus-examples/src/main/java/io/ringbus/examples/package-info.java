/**
 * The samples, plain mains named by role ({@link io.ringbus.examples.BasicPublisher},
 * {@link io.ringbus.examples.BasicSubscriber}, {@link io.ringbus.examples.Ping},
 * {@link io.ringbus.examples.Pong}), also run by {@code ./bus sample NAME}. They use the public API
 * of ringbus and, for their command line, only {@code io.ringbus.examples.support}.
 */
package io.ringbus.examples;
