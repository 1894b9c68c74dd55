/** A program that embeds ringbus: it needs the module io.ringbus.core and nothing else. */
module io.ringbus.sample.embedded {
    requires io.ringbus.core;
}
