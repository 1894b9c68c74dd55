/**
 * The API of ringbus: open a {@link io.ringbus.core.Bus} (a directory of topic files shared by any
 * number of processes, configured by {@link io.ringbus.core.BusContext}), then make
 * {@link io.ringbus.core.Publisher}s and {@link io.ringbus.core.Subscriber}s of named topics
 * ({@link io.ringbus.core.TopicConfig}, {@link io.ringbus.core.SubscriberConfig}). Per-message calls
 * answer with {@link io.ringbus.core.Result} codes; everything else fails with a subclass of
 * {@link io.ringbus.core.RingBusException} that names the file and says what to do.
 */
package io.ringbus.core;
